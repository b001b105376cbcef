"""Benchmark of the data layer (a script, not a test): ``python bench/bench_fetch.py [--topics 40]``.

Serves a realistically sized RIVM table on the local OData replica — 342 gemeenten with 10 wijken
and 4 buurten each (about 17,000 regions) × 3 age groups × 3 margins × 5 survey years, with the
loneliness topics plus ``--topics`` other health topics (the real table has about 60) — and measures:

1. bytes and time to fetch all gemeente figures through the package (``load_figures``), against a
   naive full-table ``cbsodata.get_data`` of the same table. Target: at most 5% of the bytes.
2. the time to load the cleaned gemeente table again from the cache (in the same process, and in a
   fresh one that also pays for the imports). Target: at most 0.5 s (the in-process figure).
3. peak memory (VmHWM, Linux) of a fresh process that loads the gemeente table and the wijk and buurt
   figures of one gemeente from the cache. Target: at most 300 MB.
4. that nothing is lost silently: rows received = rows in the tidy table + rows reported as set aside.

Nothing touches the network beyond 127.0.0.1. Exit code 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cbsodata

from eenzaamheid_data import rivm
from eenzaamheid_data.config import Settings
from eenzaamheid_data.testing.cbs_tables import realistic_regions, rivm_health_table
from eenzaamheid_data.testing.odata_replica import ODataReplica

TABLE = "50150NED"
BYTES_TARGET = 0.05
LOAD_TARGET_S = 0.5
MEMORY_TARGET_MB = 300.0

LOAD_AGAIN = """
import json, sys, time
t0 = time.perf_counter()
from eenzaamheid_data import rivm
from eenzaamheid_data.config import Settings
s = Settings(rivm_url=sys.argv[1], cbs_url=sys.argv[1], data_dir=sys.argv[2], offline=True)
t1 = time.perf_counter()
g = rivm.load_figures(s, table=sys.argv[3], level="gemeente")
t2 = time.perf_counter()
w = rivm.load_figures(s, table=sys.argv[3], level="wijk", gemeente=sys.argv[4])
b = rivm.load_figures(s, table=sys.argv[3], level="buurt", gemeente=sys.argv[4])
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the (big) parent across fork+exec
rss = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM")) / 1024
print(json.dumps({"imports_s": t1 - t0, "gemeente_load_s": t2 - t1, "total_s": time.perf_counter() - t0,
                  "rows": [len(g), len(w), len(b)], "max_rss_mb": rss}))
"""


def mb(n: float) -> str:
    return f"{n / 1e6:,.1f} MB"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--topics", type=int, default=40, help="other health topics beside loneliness (default 40)")
    parser.add_argument("--gemeenten", type=int, default=342)
    parser.add_argument("--skip-naive", action="store_true", help="skip the slow naive download")
    args = parser.parse_args()

    started = time.perf_counter()
    regions = realistic_regions(args.gemeenten, 10, 4)
    table = rivm_health_table(TABLE, regions, key_style="50150NED", extra_topics=args.topics)
    print(f"built {TABLE}: {len(regions):,} regions, {len(table.rows):,} rows, "
          f"{len(table.topics)} topics in {time.perf_counter() - started:.1f} s")

    failures: list[str] = []
    with tempfile.TemporaryDirectory() as tmp, ODataReplica([table]) as replica:
        settings = Settings(rivm_url=replica.url, cbs_url=replica.url, data_dir=Path(tmp) / "data", retries=0, timeout=600)

        replica.reset_stats()
        t0 = time.perf_counter()
        tidy = rivm.load_figures(settings, table=TABLE, level="gemeente")
        package_s = time.perf_counter() - t0
        package_bytes = replica.bytes_sent
        package_requests = len(replica.requests)
        print(f"package fetch, all gemeenten: {mb(package_bytes)} in {package_requests} requests, {package_s:.2f} s "
              f"→ {len(tidy):,} tidy rows")

        rows = tidy.attrs["rijen"]
        lost = rows["rows_received"] - rows["rows_used"] - rows["rows_set_aside"]
        print(f"rows received {rows['rows_received']:,} = used {rows['rows_used']:,} + set aside {rows['rows_set_aside']:,}"
              f" (unaccounted: {lost})")
        if lost:
            failures.append(f"{lost} rows unaccounted for")

        t0 = time.perf_counter()
        again = rivm.load_figures(settings.replace(offline=True), table=TABLE, level="gemeente")
        load_s = time.perf_counter() - t0
        assert again.equals(tidy)
        print(f"load cleaned gemeente table from cache (in process): {load_s * 1000:.0f} ms  (target ≤ {LOAD_TARGET_S} s)")
        if load_s > LOAD_TARGET_S:
            failures.append(f"cache load {load_s:.2f} s > {LOAD_TARGET_S} s")

        gemeente = "GM0001"
        rivm.load_figures(settings, table=TABLE, level="wijk", gemeente=gemeente)
        rivm.load_figures(settings, table=TABLE, level="buurt", gemeente=gemeente)
        out = subprocess.run([sys.executable, "-c", LOAD_AGAIN, replica.url, str(settings.data_dir), TABLE, gemeente],
                             check=True, capture_output=True, text=True)
        fresh = json.loads(out.stdout)
        print(f"fresh process, offline: imports {fresh['imports_s']:.2f} s, gemeente table {fresh['gemeente_load_s'] * 1000:.0f} ms, "
              f"+ wijk and buurt of {gemeente}: total {fresh['total_s']:.2f} s, rows {fresh['rows']}, "
              f"peak memory {fresh['max_rss_mb']:.0f} MB (target ≤ {MEMORY_TARGET_MB:.0f} MB)")
        if fresh["max_rss_mb"] > MEMORY_TARGET_MB:
            failures.append(f"peak memory {fresh['max_rss_mb']:.0f} MB > {MEMORY_TARGET_MB:.0f} MB")

        if not args.skip_naive:
            replica.reset_stats()
            t0 = time.perf_counter()
            previous = cbsodata.options.use_https
            cbsodata.options.use_https = False
            try:
                naive = cbsodata.get_data(TABLE, catalog_url=replica.url.split("://", 1)[1])
            finally:
                cbsodata.options.use_https = previous
            naive_s = time.perf_counter() - t0
            naive_bytes = replica.bytes_sent
            share = package_bytes / naive_bytes
            print(f"naive cbsodata.get_data, whole table: {mb(naive_bytes)} in {len(replica.requests)} requests, "
                  f"{naive_s:.1f} s → {len(naive):,} rows")
            print(f"package / naive bytes: {share:.2%}  (target ≤ {BYTES_TARGET:.0%})")
            if share > BYTES_TARGET:
                failures.append(f"package fetch is {share:.1%} of the naive bytes")

    for failure in failures:
        print(f"MISSED: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
