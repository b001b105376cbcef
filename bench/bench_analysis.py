"""Benchmark the country-wide analysis: GGD-regio aggregates and every gemeente compared with NL and its GGD-regio.

Builds an invented tidy table for 342 gemeenten × 5 survey years × 3 age groups × 4 indicators (plus
Nederland; 2% of the values missing), spread over 25 GGD-regio's and 12 provincies, and times
``aggregate_regions`` (by GGD-regio and by provincie), ``compare_all`` for one year and for all five,
``people_counts`` for all gemeenten and ``age_breakdown`` for one gemeente. Target: aggregates +
``compare_all`` for all gemeenten ≤ 2 s.

    PYTHONPATH=src .venv/bin/python bench/bench_analysis.py        (exit code 1 when the target is missed)
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from eenzaamheid_data import analysis

N_GEMEENTEN, N_GGD, N_PROVINCIES = 342, 25, 12
YEARS = (2012, 2016, 2020, 2022, 2024)
TARGET_S = 2.0


def invented_world(seed: int = 20240101) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(figures, gemeenten, population) for an invented country; everything vectorised."""
    rng = np.random.default_rng(seed)
    codes = [f"GM{9000 + i:04d}" for i in range(N_GEMEENTEN)]
    gemeenten = pd.DataFrame({
        "gemeentecode": codes, "gemeentenaam": [f"Gemeente {i:03d}" for i in range(N_GEMEENTEN)],
        "provinciecode": [f"PV{20 + i % N_PROVINCIES:02d}" for i in range(N_GEMEENTEN)],
        "provincienaam": [f"Provincie {i % N_PROVINCIES}" for i in range(N_GEMEENTEN)],
        "ggdregiocode": [f"GG{3000 + i % N_GGD:04d}" for i in range(N_GEMEENTEN)],
        "ggdregionaam": [f"GGD {i % N_GGD}" for i in range(N_GEMEENTEN)],
    })
    inwoners = np.round(5_000 + 400_000 * rng.random(N_GEMEENTEN) ** 3)
    share65 = 15 + 14 * rng.random(N_GEMEENTEN)
    population = pd.DataFrame({
        "regiocode": ["NL01", *codes], "regionaam": ["Nederland", *gemeenten["gemeentenaam"]],
        "niveau": ["nederland", *["gemeente"] * N_GEMEENTEN], "gemeentecode": [None, *codes],
        "inwoners": np.r_[inwoners.sum(), inwoners],
    })
    population["aandeel_65plus"] = np.r_[20.5, share65]
    population["inwoners_65plus"] = population["inwoners"] * population["aandeel_65plus"] / 100
    population["inwoners_18_64"] = population["inwoners"] * 0.62
    population["inwoners_18plus"] = population["inwoners_18_64"] + population["inwoners_65plus"]
    population["stedelijkheid"] = pd.array(np.r_[3, rng.integers(1, 6, N_GEMEENTEN)], dtype="Int64")
    population["jaar"], population["tabel"] = 2024, "BENCH-POP"

    regions = pd.DataFrame({"regiocode": ["NL01", *codes], "regionaam": ["Nederland", *gemeenten["gemeentenaam"]],
                            "niveau": ["nederland", *["gemeente"] * N_GEMEENTEN], "gemeentecode": [None, *codes],
                            "half": np.r_[0.3, 1 + 250 / np.sqrt(inwoners)]})
    keys = pd.MultiIndex.from_product([YEARS, analysis.AGES, analysis.INDICATORS], names=["jaar", "leeftijd", "indicator"]).to_frame(index=False)
    figures = regions.merge(keys, how="cross")
    base = figures["indicator"].map({"eenzaam": 47.0, "sterk_eenzaam": 12.5, "emotioneel_eenzaam": 29.0, "sociaal_eenzaam": 34.0})
    value = np.round(base * (1 + 0.15 * (rng.random(len(figures)) - 0.5)), 1)
    value[rng.random(len(figures)) < 0.02] = np.nan
    figures["waarde"] = value
    figures["ondergrens"] = np.round(value - figures["half"], 1)
    figures["bovengrens"] = np.round(value + figures["half"], 1)
    figures["tabel"] = "BENCH"
    figures = figures[analysis.TIDY_COLUMNS]
    figures.attrs["bron"] = {"publisher": "benchmark (verzonnen)", "table": "BENCH", "years": list(YEARS), "demo": True}
    return figures, gemeenten, population


def timed(run: Callable[[], object], repeat: int = 7) -> tuple[float, object]:
    """Median wall time of ``repeat`` runs in seconds, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main() -> int:
    started = time.perf_counter()
    figures, gemeenten, population = invented_world()
    print(f"invented table: {len(figures):,} rows ({N_GEMEENTEN} gemeenten × {len(YEARS)} years × 3 ages × 4 indicators + NL), "
          f"{N_GGD} GGD-regio's, built in {time.perf_counter() - started:.2f} s")

    t_ggd, regional = timed(lambda: analysis.aggregate_regions(figures, gemeenten, population, by="ggdregio"))
    t_pv, provinces = timed(lambda: analysis.aggregate_regions(figures, gemeenten, population, by="provincie"))
    t_cmp, compared = timed(lambda: analysis.compare_all(figures, gemeenten, regional, jaar=2024))
    t_all, _ = timed(lambda: [analysis.compare_all(figures, gemeenten, regional, jaar=y) for y in YEARS], repeat=3)
    t_people, people = timed(lambda: analysis.people_counts(figures, population, jaar=2024))
    t_age, _ = timed(lambda: analysis.age_breakdown(figures, gemeenten, regional, "GM9000"))
    total = t_ggd + t_cmp

    print(f"aggregate_regions by ggdregio   {t_ggd * 1000:8.1f} ms  ({len(regional):,} rows)")
    print(f"aggregate_regions by provincie  {t_pv * 1000:8.1f} ms  ({len(provinces):,} rows)")
    print(f"compare_all, one year           {t_cmp * 1000:8.1f} ms  ({len(compared):,} rows)")
    print(f"compare_all, all {len(YEARS)} years        {t_all * 1000:8.1f} ms")
    print(f"people_counts, all gemeenten    {t_people * 1000:8.1f} ms  ({len(people):,} rows)")
    print(f"age_breakdown, one gemeente     {t_age * 1000:8.1f} ms")
    print(f"aggregate (GGD) + compare_all   {total * 1000:8.1f} ms  (target ≤ {TARGET_S:.0f} s: {'met' if total <= TARGET_S else 'MISSED'})")
    print("verschil_nl in 2024:", {k: int(v) for k, v in compared["verschil_nl"].value_counts().items()})
    return 0 if total <= TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
