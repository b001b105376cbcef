"""Benchmark the maps from cached boundaries, at the Netherlands' real counts (with invented geometry).

Serves 342 gemeenten, ~3,300 wijken and ~14,000 buurten through the local PDOK replica into a
temporary data folder, fetches each layer once, and then times — from the cache, offline — loading
the gemeente boundaries and making (classify, join, draw, write a 200 dpi PNG) three maps. When the
reference boundaries in ../shared/reference-data exist, the national map is timed on them as well.

    .venv/bin/python bench/bench_maps.py        (exit code 1 when a target is missed)
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from eenzaamheid_data import geo, maps
from eenzaamheid_data.config import Settings
from eenzaamheid_data.testing.geometry import NETHERLANDS_BBOX, invented_codes, layers_from_polygons, tessellate, unit
from eenzaamheid_data.testing.pdok_replica import PDOKReplica

YEAR = 2024
REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference-data" / "boundaries" / "gemeente_2023_wgs84_cartomap-copy.geojson"


def invented_figures(codes: list[str], level: str, year: int = YEAR) -> pd.DataFrame:
    """A tidy table with invented values (5% missing) for these codes, plus Nederland."""
    values = np.array([np.nan if unit(c, "missing") < 0.05 else round(30 + 30 * unit(c, "value"), 1) for c in codes])
    frame = pd.DataFrame(
        {
            "regiocode": codes, "regionaam": codes, "niveau": level, "gemeentecode": [geo.gemeente_of(c) for c in codes],
            "jaar": year, "leeftijd": "18+", "indicator": "eenzaam", "waarde": values,
            "ondergrens": values - 3, "bovengrens": values + 3, "tabel": "BENCH",
        }
    )
    national = {"regiocode": "NL01", "regionaam": "Nederland", "niveau": "nederland", "gemeentecode": None, "jaar": year,
                "leeftijd": "18+", "indicator": "eenzaam", "waarde": 45.0, "ondergrens": 44.6, "bovengrens": 45.4, "tabel": "BENCH"}
    frame = pd.concat([frame, pd.DataFrame([national])], ignore_index=True)
    frame.attrs["bron"] = {"publisher": "benchmark (verzonnen)", "table": "BENCH", "classification_year": year,
                           "years": [year], "fetched_at": "2026-11-24T08:00:00+00:00", "demo": True}
    return frame


def timed(run: Callable[[], object], repeat: int) -> float:
    """Median wall time of ``repeat`` runs, in seconds."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> int:
    started = time.perf_counter()
    tree, names = invented_codes(342, 3_300, 14_000)
    polygons = tessellate(tree, NETHERLANDS_BBOX, relax=1)
    layers = layers_from_polygons(polygons, names, YEAR)
    counts = {level: len(layers[(level, YEAR)]["features"]) for level in ("gemeente", "wijk", "buurt")}
    print(f"invented geometry: {counts['gemeente']} gemeenten, {counts['wijk']} wijken, {counts['buurt']} buurten "
          f"({time.perf_counter() - started:.1f} s to make)")

    rows: list[tuple[str, float, float | None]] = []
    with tempfile.TemporaryDirectory(prefix="bench-maps-") as tmp:
        out = Path(tmp) / "out"
        out.mkdir()
        with PDOKReplica(layers) as server:
            online = Settings(pdok_url=server.url, data_dir=Path(tmp) / "data", retries=0)
            for level in ("gemeente", "wijk", "buurt"):
                began = time.perf_counter()
                geo.load_boundaries(online, level=level, year=YEAR)  # type: ignore[arg-type]
                rows.append((f"first fetch + cache of {counts[level]} {level} boundaries", time.perf_counter() - began, None))
        settings = online.replace(offline=True)  # from here on the network is never touched

        rows.append(("cached gemeente boundaries load (342)", timed(lambda: geo.load_boundaries(settings, level="gemeente", year=YEAR), 7), 0.3))

        one = max(tree, key=lambda g: len(tree[g]))
        rows.append((f"cached wijk boundaries load (all {counts['wijk']})", timed(lambda: geo.load_boundaries(settings, level="wijk", year=YEAR), 7), None))
        rows.append((f"  the same, one gemeente's {len(tree[one])} wijken read alone (a single report)",
                     timed(lambda: geo.load_boundaries(settings, level="wijk", year=YEAR, gemeenten=[one]), 7), None))

        gemeente_figures = invented_figures(list(tree), "gemeente")

        def national_gemeente_map() -> None:
            shapes = geo.load_boundaries(settings, level="gemeente", year=YEAR)
            fig, _ = maps.make_map(gemeente_figures, shapes, indicator="eenzaam", year=YEAR, age="18+", highlight="GM0100")
            maps.save_figure(fig, out / "gemeenten.png")

        rows.append(("national gemeente map (342), PNG 200 dpi", timed(national_gemeente_map, 3), 2.0))

        wijk_codes = [w for g in tree.values() for w in g]
        wijk_figures = invented_figures(wijk_codes, "wijk")

        def national_wijk_map() -> None:
            shapes = geo.load_boundaries(settings, level="wijk", year=YEAR)
            fig, _ = maps.make_map(wijk_figures, shapes, indicator="eenzaam", year=YEAR, age="18+", level="wijk")
            maps.save_figure(fig, out / "wijken.png")

        rows.append((f"national wijk map ({len(wijk_codes)}), PNG 200 dpi", timed(national_wijk_map, 3), 6.0))

        biggest = max(tree, key=lambda g: sum(len(b) for b in tree[g].values()))
        buurt_codes = [b for w in tree[biggest].values() for b in w]
        buurt_figures = invented_figures(buurt_codes, "buurt")

        def one_gemeente_buurt_map() -> None:
            shapes = geo.load_boundaries(settings, level="buurt", year=YEAR, gemeenten=[biggest])  # as `eenzaamheid map` does
            fig, _ = maps.make_map(buurt_figures, shapes, indicator="eenzaam", year=YEAR, age="18+", level="buurt",
                                   area_codes=[biggest], area_name=names[biggest])
            maps.save_figure(fig, out / "buurten.png")

        rows.append((f"one gemeente's buurt map ({len(buurt_codes)} of 14000 cached), PNG", timed(one_gemeente_buurt_map, 3), 1.0))

        if REFERENCE.is_file():
            with PDOKReplica({("gemeente", 2023): json.loads(REFERENCE.read_text(encoding="utf-8"))}) as server:
                geo.load_boundaries(online.replace(pdok_url=server.url), level="gemeente", year=2023)
            real = geo.load_boundaries(settings, level="gemeente", year=2023)
            real_figures = invented_figures(real["statcode"].tolist(), "gemeente", year=2023)
            rows.append(("cached real gemeente boundaries load (342, 2023)", timed(lambda: geo.load_boundaries(settings, level="gemeente", year=2023), 7), 0.3))

            def real_map() -> None:
                shapes = geo.load_boundaries(settings, level="gemeente", year=2023)
                fig, _ = maps.make_map(real_figures, shapes, indicator="eenzaam", year=2023, age="18+", highlight="GM0363")
                maps.save_figure(fig, out / "nederland.png")

            rows.append(("national gemeente map on real boundaries, PNG", timed(real_map, 3), 2.0))

    width = max(len(r[0]) for r in rows)
    print(f"\n{'measure':<{width}}  {'target':>8}  {'measured':>9}  result")
    missed = 0
    for name, seconds, target in rows:
        verdict = "" if target is None else ("ok" if seconds <= target else "MISSED")
        missed += verdict == "MISSED"
        target_text = "" if target is None else f"≤ {target:.1f} s"
        print(f"{name:<{width}}  {target_text:>8}  {seconds:>7.3f} s  {verdict}")
    print("\n(median of repeated runs; maps include loading the cached boundaries, join, classes, drawing and writing the PNG)")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
