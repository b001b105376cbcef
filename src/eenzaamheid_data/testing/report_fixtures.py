"""Small invented inputs for the report: the frames the loaders return, made by hand (no network).

``invented_inputs()`` gives 4 gemeenten by default — one with an apostrophe, one with accents, one whose
GGD-regio holds only that gemeente, one with a wijk name carrying ``<script>`` — plus wijken, Nederland,
population, national age bands and square wijk boundaries, with some values missing on purpose.
``invented_inputs(n_gemeenten=342)`` makes a country-sized world for benchmarks. Everything is marked
as fictitious data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..demo_world import unit

INDICATORS = ("eenzaam", "sterk_eenzaam", "emotioneel_eenzaam", "sociaal_eenzaam")
AGES = ("18+", "18-64", "65+")
YEARS = (2016, 2020, 2022, 2024)
TABLE = "50150NED"
SCRIPT_WIJK = "Wijk <script>alert('x')</script>"

_BASE = {"eenzaam": 47.0, "sterk_eenzaam": 12.5, "emotioneel_eenzaam": 29.0, "sociaal_eenzaam": 34.0}
_AGE = {"18+": 0.0, "18-64": -1.5, "65+": 5.0}
_YEAR = {2016: -3.0, 2020: 1.0, 2022: 2.0, 2024: 0.5}

# code, name, provinciecode, ggdregiocode, inhabitants, share 65+, stedelijkheid, wijken
_FOUR = (
    ("GM9101", "Ooststad", "PV91", "GG9101", 182_000, 17.0, 1, ("Centrum", "Noord", "Haven", SCRIPT_WIJK)),
    ("GM9102", "'s-Proefwoude", "PV91", "GG9101", 24_500, 23.0, 3, ("Dorp", "Buitengebied", "De Akkers")),
    ("GM9103", "Súdermeer", "PV91", "GG9101", 41_200, 21.0, 2, ("Oost", "West", "Zuid")),
    ("GM9104", "Eilanddorp", "PV92", "GG9102", 9_600, 29.0, 5, ("Haven", "Duinen")),
)
_PROVINCIES = {"PV91": "Proefland (fictief)", "PV92": "Eilanden (fictief)"}
_GGD = {"GG9101": "GGD Proefland (fictief)", "GG9102": "GGD Eiland (fictief)"}


@dataclass(frozen=True)
class _Gemeente:
    code: str
    name: str
    provincie: str
    ggd: str
    inhabitants: int
    share65: float
    sted: int
    wijken: tuple[str, ...]


def _world(n: int) -> list[_Gemeente]:
    out = [_Gemeente(*row) for row in _FOUR[: min(n, 4)]]
    for i in range(len(out), n):
        code = f"GM{9200 + i:04d}"
        ggd = f"GG92{i % 25:02d}"
        out.append(
            _Gemeente(code, f"Proefgemeente {i:03d}", f"PV9{3 + i % 9}", ggd, int(8_000 + 300_000 * unit(code) ** 3),
                      15 + 14 * unit(code, "65"), 1 + int(5 * unit(code, "s")) % 5,
                      tuple(f"Wijk {w}" for w in range(2 + int(8 * unit(code, "w"))))))
    return out


def _value(code: str, age: str, year: int, indicator: str, urban: int) -> float:
    scale = _BASE[indicator] / _BASE["eenzaam"]
    local = 10 * (unit(code, indicator) - 0.5) + {1: 3.0, 2: 1.5, 3: 0.0, 4: -1.0, 5: -2.0}[urban]
    return round(_BASE[indicator] + scale * (local + _AGE[age] + _YEAR[year]), 1)


def _rows(code: str, name: str, niveau: str, gemeentecode: Any, inhabitants: int, urban: int, half: float) -> list[dict[str, Any]]:
    rows = []
    for year in YEARS:
        for age in AGES:
            for indicator in INDICATORS:
                v = _value(code, age, year, indicator, urban)
                width = half * (1.6 if age == "65+" else 1.0)
                rows.append({
                    "regiocode": code, "regionaam": name, "niveau": niveau, "gemeentecode": gemeentecode, "jaar": year,
                    "leeftijd": age, "indicator": indicator, "waarde": v,
                    "ondergrens": round(v - width, 1), "bovengrens": round(v + width, 1), "tabel": TABLE,
                })
    return rows


def _half(inhabitants: int) -> float:
    return round(min(12.0, 1.0 + 250 / np.sqrt(max(inhabitants, 50))), 1)


def bron(*, demo: bool = True, table: str = TABLE) -> dict[str, Any]:
    """Provenance as ``rivm.load_figures`` gives it."""
    return {
        "publisher": "RIVM, GGD'en en CBS (Gezondheidsmonitor Volwassenen en Ouderen)", "table": table,
        "title": "Gezondheid per wijk en buurt (fictieve voorbeelddata)", "catalog": "http://127.0.0.1",
        "classification_year": 2024, "years": list(YEARS), "modified": "2025-06-01T00:00:00",
        "fetched_at": "2026-01-15T09:30:00+00:00", "demo": demo,
    }


@dataclass(frozen=True)
class InventedInputs:
    """The loaders' frames for an invented world (see module docstring)."""

    figures: pd.DataFrame
    wijk_figures: pd.DataFrame
    gemeenten: pd.DataFrame
    population: pd.DataFrame
    age_bands: pd.DataFrame
    wijk_boundaries: Any


def invented_inputs(n_gemeenten: int = 4, *, demo: bool = True) -> InventedInputs:
    """Frames shaped exactly like the loaders' output, for ``n_gemeenten`` invented gemeenten."""
    world = _world(n_gemeenten)
    total = sum(g.inhabitants for g in world)
    figure_rows = _rows("NL01", "Nederland", "nederland", None, total, 3, 0.3)
    wijk_rows: list[dict[str, Any]] = []
    pop_rows = [_population("NL01", "Nederland", "nederland", None, total, 20.5, 3)]
    squares = []
    for gi, g in enumerate(world):
        figure_rows += _rows(g.code, g.name, "gemeente", g.code, g.inhabitants, g.sted, _half(g.inhabitants))
        pop_rows.append(_population(g.code, g.name, "gemeente", g.code, g.inhabitants, g.share65, g.sted))
        per_wijk = g.inhabitants // len(g.wijken)
        for wi, wname in enumerate(g.wijken):
            wcode = f"WK{g.code[2:]}{wi:02d}"
            rows = _rows(wcode, wname, "wijk", g.code, per_wijk, g.sted, _half(per_wijk))
            if wi == 0:  # the first wijk of every gemeente stands out (an aandachtsgebied)
                for r in rows:
                    if r["indicator"] == "eenzaam":
                        r["waarde"], r["ondergrens"], r["bovengrens"] = r["waarde"] + 14, r["ondergrens"] + 14, r["bovengrens"] + 14
            wijk_rows += rows
            squares.append((wcode, wname, gi, wi))
    figures = pd.DataFrame(figure_rows)
    wijk_figures = pd.DataFrame(wijk_rows)
    # Missing on purpose: sociaal eenzaam in 2016 everywhere; 65+ sterk eenzaam in the smallest gemeente;
    # every value of the last wijk of the smallest gemeente.
    for frame in (figures, wijk_figures):
        frame.loc[(frame["indicator"] == "sociaal_eenzaam") & (frame["jaar"] == 2016), ["waarde", "ondergrens", "bovengrens"]] = np.nan
    if any(g.code == "GM9104" for g in world):
        small_old_strong = (figures["regiocode"] == "GM9104") & (figures["leeftijd"] == "65+") & (figures["indicator"] == "sterk_eenzaam")
        figures.loc[small_old_strong, ["waarde", "ondergrens", "bovengrens"]] = np.nan
        wijk_figures.loc[wijk_figures["regiocode"] == "WK910401", ["waarde", "ondergrens", "bovengrens"]] = np.nan
    for frame in (figures, wijk_figures):
        frame["jaar"] = frame["jaar"].astype("int64")
        frame.attrs["bron"] = bron(demo=demo)
        frame.attrs["meldingen"] = []

    gemeenten = pd.DataFrame(
        [(g.code, g.name, g.provincie, _PROVINCIES.get(g.provincie, f"Provincie {g.provincie} (fictief)"), g.ggd,
          _GGD.get(g.ggd, f"GGD {g.ggd} (fictief)")) for g in world],
        columns=["gemeentecode", "gemeentenaam", "provinciecode", "provincienaam", "ggdregiocode", "ggdregionaam"],
    )
    gemeenten.attrs["bron"] = {"publisher": "CBS", "table": "85755NED", "title": "Gebieden in Nederland 2024", "year": 2024, "demo": demo}
    population = pd.DataFrame(pop_rows)
    population["stedelijkheid"] = population["stedelijkheid"].astype("Int64")
    population.attrs["bron"] = {"publisher": "CBS", "table": "85984NED", "title": "Kerncijfers wijken en buurten 2024", "year": 2024, "demo": demo}
    return InventedInputs(figures, wijk_figures, gemeenten, population, age_bands(demo=demo), _boundaries(squares))


def _population(code: str, name: str, niveau: str, gemeentecode: Any, inhabitants: int, share65: float, sted: int) -> dict[str, Any]:
    old = inhabitants * share65 / 100
    adults = inhabitants * 0.62
    return {
        "regiocode": code, "regionaam": name, "niveau": niveau, "gemeentecode": gemeentecode,
        "inwoners": float(inhabitants), "inwoners_18plus": adults + old, "inwoners_18_64": adults,
        "inwoners_65plus": old, "aandeel_65plus": share65, "stedelijkheid": sted, "jaar": 2024, "tabel": "85984NED",
    }


def age_bands(*, demo: bool = True) -> pd.DataFrame:
    """National loneliness by age band, as ``national.load_age_bands`` gives it."""
    bands = ("15–25", "25–35", "35–45", "45–55", "55–65", "65–75", "75+", "totaal")
    values = (46.0, 45.0, 41.0, 39.0, 38.0, 37.0, 44.0, 41.5)
    rows = [
        {"leeftijdsband": b, "indicator": "eenzaam", "jaar": 2023, "waarde": v, "ondergrens": v - 1.5, "bovengrens": v + 1.5, "tabel": "85766NED"}
        for b, v in zip(bands, values, strict=True)
    ]
    frame = pd.DataFrame(rows)
    frame.attrs["bron"] = {"publisher": "CBS", "survey": "CBS, Sociale samenhang en welzijn (15 jaar en ouder)", "table": "85766NED",
                           "title": "Eenzaamheid; persoonskenmerken", "years": [2023], "fetched_at": "2026-01-15T09:30:00+00:00", "demo": demo}
    return frame


def _boundaries(squares: list[tuple[str, str, int, int]]) -> Any:
    import geopandas as gpd
    from shapely.geometry import box

    geoms, codes, names = [], [], []
    for code, name, gi, wi in squares:
        x0 = 100_000 + (gi % 20) * 12_000 + (wi % 3) * 3_000
        y0 = 400_000 + (gi // 20) * 12_000 + (wi // 3) * 3_000
        geoms.append(box(x0, y0, x0 + 2_900, y0 + 2_900))
        codes.append(code)
        names.append(name)
    return gpd.GeoDataFrame({"statcode": codes, "statnaam": names}, geometry=geoms, crs="EPSG:28992")
