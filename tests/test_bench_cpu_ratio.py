"""scripts/bench_cpu_ratio.py: what it reads from each load run, the median it judges, the base's worktree.

The samples are real outputs of the two load benchmarks (25db086's own scripts/bench_load.py and this tree's,
``--duration 30``, the first pair of a real ``scripts/bench_cpu_ratio`` run on 2026-12-04 on the 2-core machine;
the Alembic lines trimmed, long lines wrapped with a backslash). No load runs
here; the worktree tests check a real commit out (HEAD: a clone always has it) and remove it again.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent


def _load(name: str, file: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / file)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


ratio = _load("bench_cpu_ratio", "bench_cpu_ratio.py")
bench = _load("bench_table_for_ratio", "bench.py")

BASE_OUTPUT = """\
database: 515 guests, 4,581 visits, 50 floor accounts (built in 12.4 s, \
/tmp/guestbook-load-2tcs6m1l/guestbook.sqlite3)
gunicorn: 4 sync workers on 127.0.0.1:33253; 50 tablets for 30 s, think time 0 ms, client timeout 30 s

action     count   p50 ms   p95 ms   p99 ms   max ms  errors
login        100    171.6   5276.0   5649.2   5651.8       0
search     2,069    454.7    607.9   3101.5   5039.3       0
card         421    455.0    566.6    640.5    671.8       0
visit        194    442.0    545.8    622.1    657.4       0
overall: 2,784 requests in 30.5 s = 91.1 requests/s
CPU during the run: server 58.0 s (20.8 ms per request), tablets (client threads) 2.2 s, of 2 cores x 30.5 s
the typed guest was in the last results list before 398 of 421 card opens
visits: 194 posts answered 302, 194 rows added to the database (missing 0, doubled 0, unexpected 0, \
failed posts that saved anyway 0) -> consistent
server log: 0 error lines (/tmp/guestbook-load-2tcs6m1l/gunicorn.log)
total errors: 0 -> PASS
"""

THIS_OUTPUT = """\
database: 515 guests, 5,371 visits, 50 floor accounts (built in 19.7 s, \
/tmp/guestbook-load-1nps746b/guestbook.sqlite3)
gunicorn: 4 sync workers on 127.0.0.1:42249; 50 tablets for 30 s, think time 0 ms, client timeout 30 s

action     count   p50 ms   p95 ms   p99 ms   max ms  errors
login        100    284.5   5159.8   5569.2   5638.2       0
search     3,831    233.7    304.6   1327.5   5003.9       0
card         786    265.7    340.0    543.2    649.4       0
visit        374    244.2    303.8    319.3    387.7       0
overall: 5,091 requests in 30.4 s = 167.4 requests/s
CPU during the run: server 56.4 s (11.1 ms per request), tablets (client threads) 3.4 s, of 2 cores x 30.4 s
the typed guest was in the last results list before 771 of 786 card opens
visits: 374 posts answered 302, 374 rows added to the database (missing 0, doubled 0, unexpected 0, \
failed posts that saved anyway 0) -> consistent
server log: 0 error lines (/tmp/guestbook-load-1nps746b/gunicorn.log)
total errors: 0 -> PASS
"""


def test_reads_both_scripts_figures() -> None:
    old = ratio.read_run(BASE_OUTPUT, 0, 60.0)
    new = ratio.read_run(THIS_OUTPUT, 0, 75.0)
    assert (old.ms_per_request, old.errors, old.ok) == (20.8, 0, True)
    assert (new.ms_per_request, new.errors, new.ok) == (11.1, 0, True)


def test_the_window_line_counts_not_a_ratio_phase_line() -> None:
    """This tree's ratio phases also print ``(… ms per request)``; only ``CPU during the run`` is the figure."""
    with_phases = THIS_OUTPUT.replace(
        "total errors:",
        "ratio phase cards: 1,044 requests in 10.5 s = 99.4 requests/s, p50 486.3 ms, p95 611.8 ms, 0 errors; "
        "CPU server 20.1 s (19.29 ms per request), client 0.6 s\ntotal errors:",
    )
    assert ratio.read_run(with_phases, 0, 1.0).ms_per_request == 11.1


def test_errors_or_missing_figures_make_a_run_not_count() -> None:
    failed = ratio.read_run(THIS_OUTPUT.replace("total errors: 0 -> PASS", "total errors: 3 -> FAIL"), 1, 1.0)
    assert failed.errors == 3 and not failed.ok
    crashed = ratio.read_run("Traceback (most recent call last):\nOSError: no port\n", 1, 1.0)
    assert not crashed.ok and crashed.ms_per_request is None
    assert "exit 1" in crashed.problem and "no port" in crashed.problem


def test_median_of_the_clean_pairs_only() -> None:
    def run(ms: float, errors: int = 0) -> object:
        return ratio.Run(ms, errors, 1.0)

    pairs = [(run(18.0), run(9.0)), (run(16.0), run(12.0)), (run(15.0), run(6.0, errors=2)), (run(20.0), run(11.0))]
    assert ratio.median_ratio(pairs) == 0.55  # 0.5, 0.75 and 0.55; the pair with errors is left out
    assert ratio.median_ratio([(run(10.0), run(5.0, errors=1))]) is None


def test_the_base_is_checked_out_beside_the_project_and_removed(tmp_path: Path) -> None:
    folder = tmp_path / "base"
    assert ratio.add_worktree("HEAD", folder) == ""
    try:
        assert (folder / "scripts" / "bench_load.py").is_file()
        listed = subprocess.run(["git", "-C", str(ROOT), "worktree", "list"], capture_output=True, text=True).stdout
        assert str(folder) in listed
    finally:
        ratio.remove_worktree(folder)
    assert not folder.exists()
    listed = subprocess.run(["git", "-C", str(ROOT), "worktree", "list"], capture_output=True, text=True).stdout
    assert str(folder) not in listed


def test_an_unknown_base_is_a_clear_message(tmp_path: Path) -> None:
    problem = ratio.add_worktree("0" * 40, tmp_path / "base")
    assert problem.startswith("cannot check out " + "0" * 40)
    assert not (tmp_path / "base").exists()


def test_the_bench_table_reads_the_median() -> None:
    entry = next(b for b in bench.BENCHMARKS if b.name == "load-cpu-ratio")
    assert entry.extra and entry.script == "bench_cpu_ratio.py"
    for median, verdict in (("0.62", "not met"), ("0.48", "met")):
        output = f"   1      17.2      {median}\nmedian ratio: {median} over 1 pairs; goal at most 0.5: {verdict}\n"
        rows = bench.parse(entry, output)
        assert [(r.figure, r.value, r.verdict) for r in rows] == [
            ("CPU per request, this tree / 25db086", median, verdict)
        ]
