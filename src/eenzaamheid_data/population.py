"""Inhabitants per region and age group, and stedelijkheid, from CBS "Kerncijfers wijken en buurten"."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .config import Settings
from .errors import BadInputError, SourceChangedError
from .odata import ODataCatalog

KERNCIJFERS_TABLES: dict[int, str] = {
    2020: "84799NED", 2021: "85039NED", 2022: "85318NED", 2023: "85618NED", 2024: "85984NED", 2025: "86165NED",
}
"""Kerncijfers wijken en buurten per year. 2022 and 2024 are in data-sources.md ([check]); the others come from
third-party code only. All need a live check; ``load_population`` refuses a table whose title is not
"Kerncijfers wijken en buurten <year>"."""

POPULATION_COLUMNS = [
    "regiocode", "regionaam", "niveau", "gemeentecode", "inwoners", "inwoners_18plus", "inwoners_18_64",
    "inwoners_65plus", "aandeel_65plus", "stedelijkheid", "jaar", "tabel",
]

METHOD_POPULATION = (
    "Het aantal inwoners van 18 tot 65 jaar is geschat uit de CBS-leeftijdsklassen: 7/10 van de "
    "15- tot 25-jarigen plus alle 25- tot 65-jarigen (aangenomen dat de leeftijden binnen de klasse "
    "15–25 gelijk verdeeld zijn). 18 jaar en ouder = die schatting plus de 65-plussers."
)

_STEMS = {
    "inwoners": "AantalInwoners",
    "k15_25": "k_15Tot25Jaar",
    "k25_45": "k_25Tot45Jaar",
    "k45_65": "k_45Tot65Jaar",
    "k65": "k_65JaarOfOuder",
    "stedelijkheid": "MateVanStedelijkheid",
}
_LEVEL_PREFIX = {"NL": "nederland", "GM": "gemeente", "WK": "wijk", "BU": "buurt"}


def kerncijfers_table(year: int) -> str:
    if year not in KERNCIJFERS_TABLES:
        raise BadInputError(
            f"no 'Kerncijfers wijken en buurten' table known for {year}",
            hint="known years: " + ", ".join(map(str, sorted(KERNCIJFERS_TABLES))),
        )
    return KERNCIJFERS_TABLES[year]


def load_population(
    settings: Settings | None = None,
    *,
    year: int,
    level: str = "gemeente",
    gemeente: str | None = None,
    table: str | None = None,
) -> pd.DataFrame:
    """Inhabitants (total, 18+, 18–64, 65+), share of 65+ and stedelijkheid per region.

    ``level`` "gemeente" gives Nederland and every gemeente; "wijk"/"buurt" those of ``gemeente``
    (a code such as GM0363) or of the whole country.
    """
    settings = settings or Settings.from_env()
    chosen = table is None
    table = table or kerncijfers_table(year)
    source = ODataCatalog(settings.cbs_url, settings, publisher="CBS")
    info = source.table_info(table, expected=f"Kerncijfers wijken en buurten {year}" if chosen else None)
    title = str(info.get("Title", "")).strip()
    if "kerncijfers wijken en buurten" not in title.lower() or (str(year) not in title and not settings.demo):
        raise SourceChangedError(
            f"{table} is {title!r}, not 'Kerncijfers wijken en buurten {year}'",
            hint="the table id for this year has changed; pass table= or update KERNCIJFERS_TABLES",
        )
    props = source.data_properties(table)
    region_dim = next((p["Key"] for p in props if p.get("Type") == "GeoDimension"), None) or next(
        (p["Key"] for p in props if p.get("Type") == "Dimension"), "WijkenEnBuurten"
    )
    keys = _resolve(table, [p["Key"] for p in props if p.get("Type") == "Topic"])
    prefixes = {"gemeente": ["NL", "GM"], "wijk": ["WK"], "buurt": ["BU"]}.get(level)
    if prefixes is None:
        raise BadInputError(f"unknown level {level!r}", hint="use gemeente, wijk or buurt")
    suffix = gemeente[2:] if gemeente and level != "gemeente" else ""
    region_filter = " or ".join(f"startswith({region_dim},'{p}{suffix}')" for p in prefixes)
    data_entry = source.get(table, "TypedDataSet", filters=region_filter, select=[region_dim, *keys.values()], label=level)
    rows = data_entry.json()
    names = {
        str(r["Key"]).strip(): str(r.get("Title", "")).strip()
        for r in source.dimension(table, region_dim, filters=region_filter.replace(region_dim, "Key"), label=level).json()
    }
    raw = pd.DataFrame.from_records(rows, columns=[region_dim, *keys.values()]) if not rows else pd.DataFrame.from_records(rows)
    frame = _tidy(raw, region_dim, keys, names)
    frame["jaar"] = year
    frame["tabel"] = table
    frame = frame[POPULATION_COLUMNS]
    frame.attrs["bron"] = {
        "publisher": "CBS",
        "table": table,
        "title": title,
        "year": year,
        "modified": info.get("Modified"),
        "fetched_at": data_entry.meta.get("fetched_at"),
        "demo": settings.demo,
    }
    frame.attrs["methode"] = METHOD_POPULATION
    if missing := [name for name in _OPTIONAL if name not in keys]:
        frame.attrs["meldingen"] = [f"{table}: topics {[_STEMS[m] for m in missing]} not found; the columns that need them are empty"]
    return frame


_REQUIRED = ("inwoners", "k65")
_OPTIONAL = ("k15_25", "k25_45", "k45_65", "stedelijkheid")


def _resolve(table: str, topics: Sequence[str]) -> dict[str, str]:
    """Our names → the table's topic keys, found by stem (the numeric suffixes differ per year).

    Inhabitants and 65+ are required; the other age bands and stedelijkheid are left out (their
    columns empty) when the table lacks them.
    """
    by_stem: dict[str, str] = {}
    for t in topics:
        by_stem.setdefault(re.sub(r"_\d+$", "", t), t)
    missing = [_STEMS[name] for name in _REQUIRED if _STEMS[name] not in by_stem]
    if missing:
        near = sorted(s for s in by_stem if "inwoners" in s.lower() or s.lower().startswith("k_"))
        raise SourceChangedError(
            f"{table}: topics {missing} not found in DataProperties (inhabitant topics there: {near[:12]})",
            hint="run `eenzaamheid check-sources` and report the change",
        )
    return {name: by_stem[stem] for name, stem in _STEMS.items() if stem in by_stem}


def _numbers(values: pd.Series | None, index: pd.Index) -> pd.Series:
    """Numbers from the typed set (numbers, null) or from strings (' 1', '.', '') as a float column."""
    if values is None:
        return pd.Series(np.nan, index=index, dtype="float64")
    if not pd.api.types.is_numeric_dtype(values):
        values = values.map(lambda v: (None if v.strip() in ("", ".", "x", "-", "?") else v.strip()) if isinstance(v, str) else v)
    return pd.to_numeric(values, errors="coerce").astype("float64")


def _tidy(raw: pd.DataFrame, region_dim: str, keys: dict[str, str], names: dict[str, str]) -> pd.DataFrame:
    code = raw[region_dim].astype(str).str.strip()
    num = {name: _numbers(raw[keys[name]] if name in keys and keys[name] in raw else None, raw.index) for name in _STEMS}
    adults = 0.7 * num["k15_25"] + num["k25_45"] + num["k45_65"]
    niveau = code.str[:2].map(_LEVEL_PREFIX)
    with np.errstate(divide="ignore", invalid="ignore"):
        share65 = np.where(num["inwoners"] > 0, num["k65"] / num["inwoners"] * 100, np.nan)
    return pd.DataFrame(
        {
            "regiocode": code,
            "regionaam": code.map(names).fillna(code),
            "niveau": niveau,
            "gemeentecode": np.where(niveau == "nederland", None, "GM" + code.str[2:6]),
            "inwoners": num["inwoners"],
            "inwoners_18plus": adults + num["k65"],
            "inwoners_18_64": adults,
            "inwoners_65plus": num["k65"],
            "aandeel_65plus": share65,
            "stedelijkheid": num["stedelijkheid"].round().astype("Int64"),
        }
    ).sort_values("regiocode", ignore_index=True)
