"""Server CPU per request against the code before the production-scale wave, measured the way issue 16 asks.

Checks ``--base`` (default 25db086, the last commit before that wave) out into a temporary git worktree, then
runs, one after the other on this machine, the base's own ``scripts/bench_load.py --duration D`` and this
tree's ``scripts/bench_load.py --duration D --no-ratio``, ``--pairs`` times, alternating. Both keep their
default settings, which are the issue's: 50 tablets, 4 sync workers, no think time, search rate limit off.
``--no-ratio`` only leaves out the trivial-route phases, which run after the measured window.

From each run it reads ``CPU during the run: … (X ms per request)`` and ``total errors: N``, then prints
each pair's figures and ratio (this tree / base) and the median ratio against the goal (at most 0.5).
The same code's CPU per request drifts by up to a third within minutes here, so only pairs run
back to back, alternating, and their median are compared; one run of each proves little.

Exit status: 0 when every run finished without errors (the goal is reported, met or not), 1 when a run
failed or reported errors, 2 when the base cannot be checked out (no git, or a clone without it).
Both runs use this tree's virtualenv (``sys.executable``): the base's requirements are a subset of ours.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASE = "25db086"  # "README: name the shared line breaker in the architecture", the last commit before issue 16
GOAL = 0.5
CPU_LINE = re.compile(r"^CPU during the run: .*\((?P<ms>\d+(?:\.\d+)?) ms per request\)", re.MULTILINE)
ERRORS_LINE = re.compile(r"^total errors: (?P<n>\d+)", re.MULTILINE)


@dataclass(frozen=True)
class Run:
    """One load benchmark run: its CPU per request and errors, or why it gave neither."""

    ms_per_request: float | None
    errors: int | None
    seconds: float
    problem: str = ""
    output: str = ""

    @property
    def ok(self) -> bool:
        """Finished, with a figure and no errors."""
        return self.ms_per_request is not None and self.errors == 0 and not self.problem


def read_run(output: str, returncode: int, seconds: float) -> Run:
    """The figures of one run from what it printed (the last ``CPU during the run`` line counts)."""
    cpu = CPU_LINE.findall(output)
    errors = ERRORS_LINE.findall(output)
    ms = float(cpu[-1]) if cpu else None
    n = int(errors[-1]) if errors else None
    problem = ""
    if ms is None or n is None:
        tail = " | ".join(output.strip().splitlines()[-3:])
        problem = f"no figures (exit {returncode}): {tail[:300]}"
    elif returncode != 0 and n == 0:
        problem = f"exit {returncode}"
    return Run(ms, n, seconds, problem, output)


def run_bench(folder: Path, args: list[str], timeout: float) -> Run:
    """Run ``folder``'s scripts/bench_load.py with ``args``; a time-out is a failed run, not a hang."""
    started = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "scripts/bench_load.py", *args],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return Run(None, None, time.perf_counter() - started, f"timed out after {timeout:.0f} s")
    return read_run(done.stdout + done.stderr, done.returncode, time.perf_counter() - started)


def median_ratio(pairs: list[tuple[Run, Run]]) -> float | None:
    """The median of this tree's CPU per request over the base's, over the pairs where both ran cleanly."""
    ratios = [new.ms_per_request / old.ms_per_request for old, new in pairs if old.ok and new.ok]  # type: ignore[operator]
    return statistics.median(ratios) if ratios else None


def add_worktree(base: str, folder: Path) -> str:
    """Check ``base`` out into ``folder`` (detached); the problem as text, or "" when done."""
    try:
        done = subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(folder), base],
            capture_output=True,
            text=True,
        )
    except OSError as exc:
        return f"git is not available ({exc})"
    if done.returncode != 0:
        return f"cannot check out {base}: {done.stderr.strip() or done.stdout.strip()}"
    return ""


def remove_worktree(folder: Path) -> None:
    """Remove the worktree and git's record of it."""
    subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(folder)], capture_output=True)
    subprocess.run(["git", "-C", str(ROOT), "worktree", "prune"], capture_output=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default=BASE, help=f"the commit to compare against (default {BASE})")
    parser.add_argument("--pairs", type=int, default=4, help="alternating pairs of runs (default 4)")
    parser.add_argument("--duration", type=float, default=30, help="seconds of load per run (default 30)")
    parser.add_argument("--log", type=Path, help="a folder to keep each run's whole output in (pair-N-base.txt …)")
    cfg = parser.parse_args(argv)
    if cfg.pairs < 1 or cfg.duration <= 0:
        parser.error("--pairs at least 1 and --duration above 0")
    timeout = cfg.duration + 300  # building the database, starting gunicorn, the client's own deadline
    duration = f"{cfg.duration:g}"
    with tempfile.TemporaryDirectory(prefix="guestbook-base-") as tmp:
        folder = Path(tmp) / "base"
        problem = add_worktree(cfg.base, folder)
        if problem:
            print(problem)
            return 2
        try:
            print(
                f"CPU per request: {cfg.base} (its own scripts/bench_load.py --duration {duration}) against this tree"
                f" (--duration {duration} --no-ratio), {cfg.pairs} alternating pairs, on this machine"
            )
            print(f"{'pair':>4}  {'base ms':>8}  {'this ms':>8}  {'ratio':>6}")
            pairs: list[tuple[Run, Run]] = []
            for n in range(1, cfg.pairs + 1):
                old = run_bench(folder, ["--duration", duration], timeout)
                new = run_bench(ROOT, ["--duration", duration, "--no-ratio"], timeout)
                pairs.append((old, new))
                if cfg.log:
                    cfg.log.mkdir(parents=True, exist_ok=True)
                    (cfg.log / f"pair-{n}-base.txt").write_text(old.output)
                    (cfg.log / f"pair-{n}-this.txt").write_text(new.output)
                ratio = f"{new.ms_per_request / old.ms_per_request:6.2f}" if old.ok and new.ok else "     -"  # type: ignore[operator]
                print(f"{n:>4}  {_ms(old):>8}  {_ms(new):>8}  {ratio}", flush=True)
                for label, run in (("base", old), ("this", new)):
                    if not run.ok:
                        print(f"      {label}: {run.problem or f'{run.errors} errors'}")
        finally:
            remove_worktree(folder)
    median = median_ratio(pairs)
    if median is None:
        print("ratio: no pair ran cleanly")
        return 1
    verdict = "met" if median <= GOAL else "not met"
    clean = sum(old.ok and new.ok for old, new in pairs)
    print(f"median ratio: {median:.2f} over {clean} pairs; goal at most {GOAL}: {verdict}")
    return 0 if all(o.ok and n.ok for o, n in pairs) else 1


def _ms(run: Run) -> str:
    return f"{run.ms_per_request:.1f}" if run.ms_per_request is not None else "-"


if __name__ == "__main__":
    sys.exit(main())
