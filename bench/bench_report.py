"""Benchmark of the factsheets (a script, not a test): ``python bench/bench_report.py [--n 342] [--workers 2]``.

1. One report end to end, Python start-up included: a fresh ``python -c`` that builds invented inputs
   (a test fixture, about 0.3 s of the time) and calls ``generate_report`` (HTML + slides). Target: at most 3 s.
2. A batch of ``--n`` invented gemeenten with ``--workers`` processes (HTML + slides, and HTML only; no PDF).
   Target: 342 gemeenten in at most 5 minutes. With a smaller ``--n`` the time for 342 is extrapolated
   from the time per report (and says so).
3. From a warm cache, after one run against the local replicas (the demo world, served as CBS/PDOK would)
   has filled it, each in a fresh process: the command users run, ``eenzaamheid report Voorbeeldstad
   --offline`` (with and without slides), and the library's ``generate_report`` from ``python -c`` (a
   script's way; a notebook pays the imports once). Target: at most 3 s.
4. With ``--demo``: one report of the demo world through the local replicas (fetch, clean, render).

The package is byte-compiled first, as a user's second run finds it: pip does not compile an editable
install, and where PYTHONDONTWRITEBYTECODE is set every process would compile it again (0.1–0.3 s).
Everything runs on invented data ("fictieve voorbeelddata"); nothing touches the network.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FULL_COUNT = 342
SINGLE_TARGET_S = 3.0
BATCH_TARGET_S = 300.0

ONE_REPORT = """
import sys
from pathlib import Path
from eenzaamheid_data.report.batch import ReportInputs, generate_report
from eenzaamheid_data.testing.report_fixtures import invented_inputs
d = invented_inputs()
inputs = ReportInputs.from_frames(d.figures, d.wijk_figures, d.gemeenten, d.population, d.age_bands, d.wijk_boundaries)
print(generate_report(None, "Ooststad", inputs=inputs, output_dir=Path(sys.argv[1]), slides=sys.argv[2] == "1"))
"""

WARM_LIBRARY_REPORT = """
import sys
from pathlib import Path
from eenzaamheid_data.config import Settings
from eenzaamheid_data.report.batch import generate_report
print(generate_report(Settings.from_env(offline=True), "Voorbeeldstad", output_dir=Path(sys.argv[1])))
"""

DEMO_REPORT = """
import sys
from pathlib import Path
from eenzaamheid_data import demo
from eenzaamheid_data.config import Settings
from eenzaamheid_data.report.batch import generate_report
with demo.serve(Settings(data_dir=Path(sys.argv[1]) / "data")) as settings:
    print(generate_report(settings, "Voorbeeldstad", output_dir=Path(sys.argv[1])))
"""


def yardstick() -> str:
    """A fixed piece of pure-Python work, so figures from different days can be compared: this machine's
    speed has varied by a factor of two between (and within) sessions."""
    started = time.perf_counter()
    total = 0
    for i in range(10_000_000):
        total += i
    return (f"yardstick: 10 million Python additions in {time.perf_counter() - started:.2f} s (on 2026-12-01 `eenzaamheid report "
            "Voorbeeldstad --offline` took about 6 s at 0.68 s, 3.2 s at 0.39 s with matplotlib 3.11, 2.3 s at 0.44 s with 3.10; "
            "with the slides on a second core 2.9 s at 0.62 s and 3.2 s at 0.55 s)")


def _env() -> dict[str, str]:
    src = str(Path(__file__).resolve().parents[1] / "src")
    return {**os.environ, "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", ""), "MPLBACKEND": "Agg", "PYTHONWARNINGS": "ignore"}


def _time_subprocess(code: str, *args: str, env: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, *args], check=True, env=env or _env(), capture_output=True, text=True)
    return time.perf_counter() - started


def _verdict(what: str, times: list[float]) -> str:
    median = statistics.median(times)
    verdict = "ok" if median <= SINGLE_TARGET_S else f"over the {SINGLE_TARGET_S:.0f} s target"
    return f"{what}: median {median:.2f} s of {len(times)} runs ({', '.join(f'{t:.2f}' for t in times)}) — {verdict}"


def compile_package() -> str:
    import compileall

    src = Path(__file__).resolve().parents[1] / "src"
    compileall.compile_dir(src, quiet=1)
    return f"byte-compiled {src} (as after a first run; PYTHONDONTWRITEBYTECODE={os.environ.get('PYTHONDONTWRITEBYTECODE', 'unset')})"


def single(repeats: int) -> None:
    for slides in (True, False):
        times = []
        for _ in range(repeats):
            with tempfile.TemporaryDirectory() as out:
                times.append(_time_subprocess(ONE_REPORT, out, "1" if slides else "0"))
        print(_verdict(f"one report end to end (python -c, invented inputs, {'HTML + 5 slides' if slides else 'HTML only'})", times))
    with tempfile.TemporaryDirectory() as out:
        startup = _time_subprocess("import eenzaamheid_data.report.batch, eenzaamheid_data.analysis, eenzaamheid_data.charts, eenzaamheid_data.maps", out)
    print(f"  of which Python start-up and imports: {startup:.2f} s")


def batch(n: int, workers: int, slides: bool) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from eenzaamheid_data.report.batch import ReportInputs, render_reports
    from eenzaamheid_data.testing.report_fixtures import invented_inputs

    started = time.perf_counter()
    d = invented_inputs(n)
    inputs = ReportInputs.from_frames(d.figures, d.wijk_figures, d.gemeenten, d.population, d.age_bands, d.wijk_boundaries)
    prepared = time.perf_counter() - started
    codes = list(d.gemeenten["gemeentecode"])
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        result = render_reports(inputs, codes, output_dir=Path(out), workers=workers, progress=False, slides=slides)
        elapsed = time.perf_counter() - started
    if result.failed:
        print(f"  {len(result.failed)} failed, e.g. {next(iter(result.failed.items()))}")
    per = elapsed / n
    what = "HTML + 5 slides" if slides else "HTML only"
    print(f"batch of {n} invented gemeenten, {workers} workers, {what}: {elapsed:.1f} s "
          f"({per:.2f} s per report; inputs prepared in {prepared:.1f} s)")
    if n == FULL_COUNT:
        total = elapsed
        print(f"  342 gemeenten: {total:.0f} s (measured) — {'ok' if total <= BATCH_TARGET_S else 'over the 5 min target'}")
    else:
        total = per * FULL_COUNT
        print(f"  342 gemeenten: about {total:.0f} s (EXTRAPOLATED from {n}) — {'ok' if total <= BATCH_TARGET_S else 'over the 5 min target'}")


def cli_warm(repeats: int) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from eenzaamheid_data import demo
    from eenzaamheid_data.testing.odata_replica import ODataReplica
    from eenzaamheid_data.testing.pdok_replica import PDOKReplica

    cli = [sys.executable, "-m", "eenzaamheid_data", "report", "Voorbeeldstad"]
    with tempfile.TemporaryDirectory() as tmp, ODataReplica(demo.tables()) as odata, PDOKReplica(demo.boundary_layers()) as pdok:
        env = {**_env(), "EENZAAMHEID_DATA_DIR": str(Path(tmp) / "data"), "EENZAAMHEID_RIVM_URL": odata.url,
               "EENZAAMHEID_CBS_URL": odata.url, "EENZAAMHEID_PDOK_URL": pdok.url}
        subprocess.run([*cli, "--output-dir", str(Path(tmp) / "warm")], check=True, env=env, capture_output=True)
        for slides in (True, False):
            times = []
            for i in range(repeats):
                args = ["--offline", "--output-dir", str(Path(tmp) / f"run{i}{slides}")] + ([] if slides else ["--no-slides"])
                started = time.perf_counter()
                subprocess.run([*cli, *args], check=True, env=env, capture_output=True)
                times.append(time.perf_counter() - started)
            print(_verdict(f"`eenzaamheid report Voorbeeldstad --offline{'' if slides else ' --no-slides'}` from a warm cache", times))
        times = [_time_subprocess(WARM_LIBRARY_REPORT, str(Path(tmp) / f"lib{i}"), env=env) for i in range(repeats)]
        print(_verdict("python -c → generate_report(offline settings, 'Voorbeeldstad') from a warm cache (HTML + 5 slides)", times))


def demo_report() -> None:
    with tempfile.TemporaryDirectory() as out:
        elapsed = _time_subprocess(DEMO_REPORT, out)
    print(f"one demo report through the local replicas (fetch, clean, render, python -c): {elapsed:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=FULL_COUNT, help="gemeenten in the batch (default 342)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--demo", action="store_true", help="also time one demo report through the replicas")
    parser.add_argument("--skip-batch", action="store_true")
    parser.add_argument("--skip-single", action="store_true")
    parser.add_argument("--batch", choices=("slides", "html", "both"), default="both", help="what the batch writes (default both runs)")
    args = parser.parse_args()
    from importlib.metadata import version

    # matplotlib's version is printed because it decides most of the time (3.11 drew slides 2.5 times slower)
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, matplotlib {version('matplotlib')}; {yardstick()}")
    print(compile_package())
    if not args.skip_single:
        single(args.repeats)
        cli_warm(args.repeats)
    if not args.skip_batch:
        for slides in {"slides": (True,), "html": (False,), "both": (True, False)}[args.batch]:
            batch(args.n, args.workers, slides)
    if args.demo:
        demo_report()


if __name__ == "__main__":
    main()
