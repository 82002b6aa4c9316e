"""Every benchmark at a quick size, in one table: benchmark, size, figure, value, goal, met or not.

Runs each ``scripts/bench_*.py`` in its own subprocess at a small size (a few minutes in all on two
cores), reads the figures from what it prints and judges them against the goals the full-size
benchmarks state (BENCHMARKS.md, the scripts' docstrings). BENCHMARKS.md holds the full-size figures;
this table is the quick check that nothing has fallen off a cliff.

A goal stated for a larger size than the one run here is marked ``*``: the quick figure is judged
against the full-size goal as it stands (no scaling), so ``met*`` does not prove the goal at full
size, while ``not met*`` is a warning worth a full-size run. A figure the output does not contain
is shown as ``no figure``; no value is ever estimated.

Exit status: 1 when a benchmark fails to run (non-zero exit, time-out); a missed goal alone is
reported in the table and is not fatal (exit 0). ``bench_load`` exits 1 when it saw errors: that
is its "zero errors" goal not met, so it counts as having run when its summary line is there.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NUM = r"[\d,]+(?:\.\d+)?"  # a figure as the scripts print it: 1,234 or 12.34
VERDICT = r"(?P<verdict>NOT met|not met|met|PASS|FAIL)"  # a script's own judgement, where it prints one


@dataclass(frozen=True)
class Goal:
    """A goal from the full-size benchmark: ``value OP limit``; ``at_size`` when the quick run is that size."""

    op: str  # "<", "<=", ">=", "=="
    limit: float
    text: str
    at_size: bool = False

    def holds(self, value: float) -> bool:
        """Whether ``value`` meets the goal."""
        return {
            "<": value < self.limit,
            "<=": value <= self.limit,
            ">=": value >= self.limit,
            "==": value == self.limit,
        }[self.op]


@dataclass(frozen=True)
class Figure:
    """One figure: a named group of a pattern searched in the benchmark's output."""

    label: str
    pattern: re.Pattern[str]
    group: str = "v"
    unit: str = ""
    goal: Goal | None = None
    verdict_group: str | None = None  # the script's own met/NOT met for this figure, if it prints one
    optional: bool = False  # printed only in some runs (left out of the table when absent, not "no figure")


@dataclass(frozen=True)
class Benchmark:
    """One benchmark script at its quick size."""

    name: str
    script: str
    args: tuple[str, ...]
    size: str  # the quick size run here
    full_size: str  # the size the goals are stated for (BENCHMARKS.md)
    figures: tuple[Figure, ...]
    goal_exit_code: int | None = None  # an exit status that means "goal not met" rather than "did not run"
    extra: bool = False  # the long load runs: only with --capacity (or named in --only), too long for the quick table


@dataclass
class Row:
    """One line of the table."""

    benchmark: str
    size: str
    figure: str
    value: str
    goal: str
    verdict: str


@dataclass
class Outcome:
    """What running one benchmark gave."""

    bench: Benchmark
    returncode: int | None  # None: timed out
    seconds: float
    output: str
    rows: list[Row] = field(default_factory=list)


def _re(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.MULTILINE)


# ---- the output lines each script prints (see the scripts; the test file holds captured samples)

SEARCH_MANAGER = _re(
    rf"^\s+p50 (?P<p50>{NUM}) ms\s+p95 (?P<p95>{NUM}) ms\s+p99 (?P<p99>{NUM}) ms\s+"
    rf"\(no result: (?P<empty>{NUM}) of (?P<of>{NUM})"
)
SEARCH_FLOOR = _re(rf"as the floor \(contacts masked\): p50 {NUM} ms\s+p95 (?P<v>{NUM}) ms")
SEARCH_RATIO = _re(rf"^p95 ratio [\d,]+ / [\d,]+: (?P<v>{NUM})")
SEARCH_CARD = _re(rf"^card render p95 \(500 visits\): (?P<v>{NUM}) ms")
BACKUP_COPY = _re(rf"^[\d,]+ guests: backup (?P<v>{NUM}) s, (?P<mb>{NUM}) MB")
BACKUP_SEARCHES = _re(
    rf"^\s+(?P<n>{NUM}) searches during the backup .*?p95 (?P<p95>{NUM}) ms, max (?P<max>{NUM}) ms, "
    rf"over 100 ms: (?P<over>{NUM})"
)
BRIEFING_50 = _re(rf"^\s+50\s+(?P<v>{NUM})\s")
BRIEFING_500 = _re(rf"^\s+500\s+(?P<v>{NUM})\s+\S+\s+(?P<data>{NUM})\s+(?P<pages>{NUM})\s+(?P<rate>{NUM})")
BRIEFING_RATIO = _re(rf"^ratio 500/50: (?P<v>{NUM})")
LETTERS_ROW = _re(
    rf"^\s+(?P<n>\d+)\s+(?P<select>{NUM})\s+(?P<pdf>{NUM})\s+(?P<labels>{NUM})\s+(?P<total>{NUM})\s+"
    rf"(?P<pages>\d+)\s+(?P<rate>\d+)\s+(?P<peak>\d+)\s+(?P<mb>{NUM})\s*$"
)
IMPORT_GUESTS = _re(rf"^import guests: (?P<v>{NUM}) s, peak RSS (?P<rss>{NUM}) MB")
IMPORT_VISITS = _re(rf"^import visits: (?P<v>{NUM}) s, peak RSS (?P<rss>{NUM}) MB")
IMPORT_TOTAL = _re(rf"^total (?P<v>{NUM}) s .*?peak memory (?P<peak>{NUM}) MB")
IMPORT_SCAN = _re(rf"^duplicate scan of [\d,]+ guests: (?P<v>{NUM}) s, (?P<pairs>{NUM}) pairs")
SEGMENTS_FULL = _re(
    rf"^full refresh as of \S+: (?P<v>{NUM}) s \(goal: [^,]*, (?P<verdict>NOT met|met)\).*?"
    rf"peak RSS (?P<rss>{NUM}) MB(?: \(goal: .*?, (?P<rss_verdict>NOT met|met)\))?"
)
SEGMENTS_INCREMENTAL = _re(
    rf"^incremental refresh after .*?: (?P<v>{NUM}) s(?: \(goal: [^,]*, (?P<verdict>NOT met|met)\))?"
)
SEGMENTS_DASHBOARD = _re(
    rf"^dashboard page: median (?P<median>{NUM}) ms, p95 (?P<v>{NUM}) ms"
    r"(?:.*?\(goal: [^,]*, (?P<verdict>NOT met|met)\))?"
)
LOAD_CPU = _re(rf"^CPU during [^:]*: server {NUM} s \((?P<v>{NUM}) ms per request\)")  # not the ratio phases
LOAD_RATE = _re(rf"^overall: {NUM} requests in {NUM} s = (?P<v>{NUM}) requests/s")
LOAD_ERRORS = _re(rf"^total errors: (?P<v>{NUM})(?: -> {VERDICT})?")
LOAD_CARD_SHARE = _re(
    rf"^card throughput: (?P<rps>{NUM}) requests/s = (?P<v>{NUM}|nan)% of the trivial route \((?P<trivial>{NUM}) "
    rf"requests/s\); goal at least {NUM}%: {VERDICT}"
)
LOAD_CAPACITY = _re(rf"^capacity: (?P<v>{NUM}) tablets \(.*\); goal at least {NUM}: {VERDICT}")
CPU_RATIO = _re(rf"^median ratio: (?P<v>{NUM}) over \d+ pairs; goal at most {NUM}: {VERDICT}")

BENCHMARKS: tuple[Benchmark, ...] = (
    Benchmark(
        "search",
        "bench_search.py",
        ("--sizes", "10000"),
        "10,000 guests",
        "10,000 and 1,000,000 guests (SQLite)",
        (
            Figure("p50", SEARCH_MANAGER, "p50", " ms"),
            Figure("p95", SEARCH_MANAGER, "p95", " ms", Goal("<", 30, "under 30 ms at 1,000,000 guests")),
            Figure("p99", SEARCH_MANAGER, "p99", " ms"),
            Figure("queries with no result", SEARCH_MANAGER, "empty", " of 1000"),
            Figure("p95 as the floor (masked)", SEARCH_FLOOR, unit=" ms"),
            Figure("p95 ratio largest / smallest", SEARCH_RATIO, goal=Goal("<", 3, "under 3"), optional=True),
            Figure("card render p95 (500 visits)", SEARCH_CARD, unit=" ms", goal=Goal("<", 50, "under 50 ms", True)),
        ),
    ),
    Benchmark(
        "backup",
        "bench_backup.py",
        ("--guests", "100000"),
        "100,000 guests",
        "1,000,000 guests, 20 searches/s",
        (
            Figure("backup", BACKUP_COPY, unit=" s"),
            Figure("searches during the backup", BACKUP_SEARCHES, "n"),
            Figure(
                "slowest search during it",
                BACKUP_SEARCHES,
                "max",
                " ms",
                Goal("<", 100, "none over 100 ms at 1,000,000 guests"),
            ),
        ),
    ),
    Benchmark(
        "briefing",
        "bench_briefing.py",
        ("--repeat", "1"),
        "50, 500 arrivals; 1 run",
        "50 and 500 arrivals, median of 5 runs",
        (
            Figure("50 arrivals", BRIEFING_50, unit=" s"),
            Figure("500 arrivals", BRIEFING_500, unit=" s", goal=Goal("<", 2, "under 2 s", True)),
            Figure("500 arrivals: of which data", BRIEFING_500, "data", " s"),
            Figure("ratio 500/50", BRIEFING_RATIO),
        ),
    ),
    Benchmark(
        "letters",
        "bench_letters.py",
        ("--sizes", "1000"),
        "1,000 letters",
        "1,000 and 10,000 letters with labels",
        (
            Figure("run + approve + both PDFs", LETTERS_ROW, "total", " s", Goal("<", 60, "under 60 s at 10,000")),
            Figure("pages/s", LETTERS_ROW, "rate"),
            Figure("peak memory", LETTERS_ROW, "peak", " MB", Goal("<", 500, "under 500 MB at 10,000")),
        ),
    ),
    Benchmark(
        "import",
        "bench_import.py",
        ("--guests", "10000", "--visits", "100000", "--scan-guests", "20000"),
        "10,000 guests, 100,000 visits; scan 20,000",
        "100,000 guests + 1,000,000 visits; scan of 200,000 guests",
        (
            Figure("import guests", IMPORT_GUESTS, unit=" s"),
            Figure("import visits", IMPORT_VISITS, unit=" s"),
            Figure("both imports", IMPORT_TOTAL, unit=" s", goal=Goal("<", 60, "under 60 s at 100,000 + 1,000,000")),
            Figure("peak memory", IMPORT_TOTAL, "peak", " MB", Goal("<", 300, "under 300 MB at 100,000 + 1,000,000")),
            Figure("duplicate scan", IMPORT_SCAN, unit=" s", goal=Goal("<", 30, "under 30 s at 200,000 guests")),
        ),
    ),
    Benchmark(
        "segments",
        "bench_segments.py",
        ("--guests", "20000", "--visits", "200000"),
        "20,000 guests, 200,000 visits",
        "200,000 guests, 2,000,000 visits",
        (
            Figure(
                "full refresh",
                SEGMENTS_FULL,
                unit=" s",
                goal=Goal("<", 30, "under 30 s at 200,000 guests"),
                verdict_group="verdict",
            ),
            Figure(
                "full refresh peak RSS",
                SEGMENTS_FULL,
                "rss",
                " MB",
                Goal("<", 1000, "under 1,000 MB at 200,000 guests"),
                verdict_group="rss_verdict",
            ),
            Figure(
                "incremental refresh (1,000 new visits)",
                SEGMENTS_INCREMENTAL,
                unit=" s",
                goal=Goal("<", 2, "under 2 s at 200,000 guests"),
                verdict_group="verdict",
            ),
            Figure(
                "dashboard page p95",
                SEGMENTS_DASHBOARD,
                unit=" ms",
                goal=Goal("<", 300, "under 300 ms at 200,000 guests"),
                verdict_group="verdict",
            ),
        ),
    ),
    Benchmark(
        "load",
        "bench_load.py",
        ("--duration", "20", "--tablets", "20"),
        "20 tablets, 20 s",
        "50 tablets, 60 s",
        (
            Figure("server CPU per request", LOAD_CPU, unit=" ms"),
            Figure("requests/s", LOAD_RATE),
            Figure(
                "errors (incl. visit and log checks)",
                LOAD_ERRORS,
                goal=Goal("==", 0, "0 with 50 tablets"),
                verdict_group="verdict",
            ),
            Figure(
                "card throughput, % of the trivial route",
                LOAD_CARD_SHARE,
                unit="%",
                goal=Goal(">=", 30, "at least 30%"),
                verdict_group="verdict",
                optional=True,
            ),
        ),
        goal_exit_code=1,
    ),
    Benchmark(
        "load-capacity",
        "bench_load.py",
        ("--capacity", "--steps", "50,100,200", "--duration", "30"),
        "50/100/200 tablets, 30 s",
        "steps of 50, 100, 200 tablets, 30 s each",
        (
            Figure(
                "capacity",
                LOAD_CAPACITY,
                unit=" tablets",
                goal=Goal(">=", 200, "at least 200", True),
                verdict_group="verdict",
            ),
        ),
        goal_exit_code=1,
        extra=True,
    ),
    Benchmark(
        "load-cpu-ratio",
        "bench_cpu_ratio.py",
        ("--pairs", "1", "--duration", "20"),
        "1 pair of 20 s runs",
        "4 pairs of 30 s runs, 50 tablets",
        (
            Figure(
                "CPU per request, this tree / 25db086",
                CPU_RATIO,
                goal=Goal("<=", 0.5, "at most 0.5", True),
                verdict_group="verdict",
            ),
        ),
        extra=True,
    ),
)


# ---- parsing and judging (no benchmark runs here: tests/test_bench_table.py feeds captured outputs)


def number(text: str) -> float:
    """A figure as printed (``1,234.5``) as a number."""
    return float(text.replace(",", ""))


def script_says_met(word: str | None) -> bool | None:
    """A script's own verdict word as a boolean; None when it printed none."""
    if word is None:
        return None
    return word in ("met", "PASS")


def verdict(goal: Goal | None, value: str, script_word: str | None = None) -> str:
    """``met`` / ``not met`` (``*`` when the goal is stated for a larger size), ``—`` without a goal.

    Met only when the value meets the goal and the script, where it judges the figure itself, agrees
    (bench_segments also requires the incremental run to stay incremental; bench_load fails a run whose
    visit rows or server log do not check out even with no request errors).
    """
    if goal is None:
        return "—"
    ok = goal.holds(number(value))
    if script_says_met(script_word) is False:
        ok = False
    return ("met" if ok else "not met") + ("" if goal.at_size else "*")


def parse(bench: Benchmark, output: str) -> list[Row]:
    """The table rows for one benchmark's output: each figure found, or ``no figure`` (never a guess)."""
    rows = []
    for fig in bench.figures:
        match = fig.pattern.search(output)
        value = match.group(fig.group) if match else None
        if value is None and fig.optional:
            continue
        goal_text = fig.goal.text if fig.goal else ""
        if value is None:
            rows.append(Row(bench.name, bench.size, fig.label, "", goal_text, "no figure"))
            continue
        word = match.group(fig.verdict_group) if match and fig.verdict_group else None
        rows.append(Row(bench.name, bench.size, fig.label, value + fig.unit, goal_text, verdict(fig.goal, value, word)))
    return rows


def ran(bench: Benchmark, returncode: int | None, rows: Sequence[Row]) -> bool:
    """Whether the benchmark ran to the end: exit 0, or its goal-not-met exit with its figures printed."""
    if returncode == 0:
        return True
    found = any(row.verdict != "no figure" for row in rows)
    return returncode is not None and returncode == bench.goal_exit_code and found


def format_table(rows: Sequence[Row], markdown: bool = False) -> str:
    """The rows as an aligned text table (or a Markdown table); the size is printed once per benchmark."""
    header = ("benchmark", "size", "figure", "value", "goal", "verdict")
    cells = []
    last = None
    for row in rows:
        first = row.benchmark != last
        last = row.benchmark
        cells.append(
            (
                row.benchmark if first or markdown else "",
                row.size if first or markdown else "",
                row.figure,
                row.value,
                row.goal,
                row.verdict,
            )
        )
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * 4 + "---|---|"]
        lines += ["| " + " | ".join(c) + " |" for c in cells]
        return "\n".join(lines)
    widths = [max(len(h), *(len(c[i]) for c in cells)) if cells else len(h) for i, h in enumerate(header)]
    right = {3}  # values right-aligned

    def line(values: Sequence[str]) -> str:
        return "  ".join(
            v.rjust(w) if i in right else v.ljust(w) for i, (v, w) in enumerate(zip(values, widths, strict=True))
        ).rstrip()

    out = [line(header), line(["-" * w for w in widths])]
    out += [line(c) for c in cells]
    return "\n".join(out)


FOOTNOTE = (
    "* the goal is stated for a larger size than the quick one run here; the quick figure is judged against it\n"
    "  unscaled, so met* does not prove the full-size goal (BENCHMARKS.md holds the full-size figures)."
)


# ---- running


def command(bench: Benchmark, python: str = sys.executable) -> list[str]:
    """The command line that runs one benchmark (from the project folder)."""
    return [python, str(Path("scripts") / bench.script), *bench.args]


def run(bench: Benchmark, timeout: float, echo: bool) -> Outcome:
    """Run one benchmark in its own process group (bench_load starts gunicorn), stdout and stderr together."""
    started = time.perf_counter()
    timed_out = threading.Event()
    lines = []
    with subprocess.Popen(
        command(bench),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
        start_new_session=True,
    ) as proc:

        def kill() -> None:
            """Stop the whole group: politely, then for good 10 s later."""
            timed_out.set()
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                time.sleep(10)
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        timer = threading.Timer(timeout, kill)
        timer.daemon = True
        timer.start()
        assert proc.stdout is not None
        try:
            for text in proc.stdout:
                lines.append(text)
                if echo:
                    sys.stderr.write(f"  {bench.name}| {text}")
            proc.wait()
        except KeyboardInterrupt:
            os.killpg(proc.pid, signal.SIGTERM)
            raise
        finally:
            timer.cancel()
    output = "".join(lines)
    outcome = Outcome(bench, None if timed_out.is_set() else proc.returncode, time.perf_counter() - started, output)
    outcome.rows = parse(bench, output)
    return outcome


def select(only: str | None, capacity: bool) -> list[Benchmark]:
    """The benchmarks to run: all quick ones (plus the long load runs with ``--capacity``), or those named."""
    names = {b.name for b in BENCHMARKS}
    if only:
        wanted = [n.strip() for n in only.split(",") if n.strip()]
        unknown = [n for n in wanted if n not in names]
        if unknown:
            raise SystemExit(f"bench: unknown benchmark {', '.join(unknown)} (choose from {', '.join(sorted(names))})")
        chosen = [b for b in BENCHMARKS if b.name in wanted or (capacity and b.extra and "load" in wanted)]
    else:
        chosen = [b for b in BENCHMARKS if not b.extra or capacity]
    return chosen


def describe(benchmarks: Sequence[Benchmark], capacity: bool) -> str:
    """What would run (``--list``): name, command, size; the capacity run is named even when it is off."""
    lines = []
    for bench in BENCHMARKS:
        if bench in benchmarks:
            note = ""
        elif bench.extra and not capacity:
            note = "  (only with --capacity, or named in --only)"
        else:
            continue
        lines.append(f"{bench.name:<14} scripts/{bench.script} {' '.join(bench.args)}{note}")
        lines.append(f"{'':<14} quick: {bench.size}; full size: {bench.full_size}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Parse options, run, print the table; the exit status says whether every benchmark ran."""
    parser = argparse.ArgumentParser(
        prog="scripts/bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    names = ", ".join(b.name for b in BENCHMARKS)
    parser.add_argument("--only", metavar="NAME[,NAME]", help=f"run only these ({names})")
    parser.add_argument("--list", action="store_true", help="print what would run, with its size, and stop")
    parser.add_argument(
        "--capacity",
        action="store_true",
        help=(
            "also run the long load runs: bench_load's capacity mode (--steps 50,100,200 --duration 30) and the"
            " CPU per request against 25db086 (bench_cpu_ratio, one pair); several minutes each"
        ),
    )
    parser.add_argument("--timeout", type=float, default=900, help="seconds before a benchmark is stopped (failed)")
    parser.add_argument("--verbose", action="store_true", help="echo each benchmark's output (stderr) as it runs")
    parser.add_argument("--markdown", action="store_true", help="print the table in Markdown")
    args = parser.parse_args(argv)
    chosen = select(args.only, args.capacity)
    if args.list:
        print(describe(chosen, args.capacity))
        return 0
    outcomes = []
    for n, bench in enumerate(chosen, 1):
        print(f"[{n}/{len(chosen)}] {bench.name}: {' '.join(command(bench, 'python'))}", file=sys.stderr, flush=True)
        outcome = run(bench, args.timeout, args.verbose)
        outcomes.append(outcome)
        status = "timed out" if outcome.returncode is None else f"exit {outcome.returncode}"
        print(f"      {status} after {outcome.seconds:.0f} s", file=sys.stderr, flush=True)
    failed = [o for o in outcomes if not ran(o.bench, o.returncode, o.rows)]
    rows = [row for o in outcomes for row in o.rows]
    print(format_table(rows, args.markdown))
    if any(r.verdict.endswith("*") for r in rows):
        print(FOOTNOTE)
    missing = [
        f"{r.benchmark}: {r.figure}" for o in outcomes if o not in failed for r in o.rows if r.verdict == "no figure"
    ]
    if missing:
        print(f"no figure in the output of a benchmark that ran (has its output changed?): {'; '.join(missing)}")
    total = sum(o.seconds for o in outcomes)
    print(f"{len(outcomes)} benchmarks in {total:.0f} s; missed goals are reported above, not fatal")
    for o in failed:
        why = f"timed out after {args.timeout:g} s" if o.returncode is None else f"exited with {o.returncode}"
        tail = "\n".join("    " + t for t in o.output.rstrip().splitlines()[-25:])
        print(f"FAILED: {o.bench.name} {why}; last lines of its output:\n{tail}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
