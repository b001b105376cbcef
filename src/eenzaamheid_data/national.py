"""National loneliness by finer age band from CBS's own survey (table 85766NED).

A different survey ("Sociale samenhang en welzijn", ages 15+) and a different measurement from the
Gezondheidsmonitor: never put the two on one axis without saying so (``attrs["bron"]["survey"]``).

Everything is resolved from the table's own metadata: the age bands from the ``Kenmerken`` titles,
the degree of loneliness from the ``MateVanEenzaamheid`` titles (the table has that dimension beside
the topics ``Eenzaamheid_1``, ``SocialeEenzaamheid_2``, ``EmotioneleEenzaamheid_3``), the margins from
``Marges``. Any other dimension is held at its "Totaal" category. The result has one row per age band,
indicator and year.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

import pandas as pd

from .config import Settings
from .errors import EenzaamheidError, InvalidDataError, SourceChangedError
from .odata import ODataCatalog
from .rivm import _resolve_margins

log = logging.getLogger(__name__)

DEFAULT_TABLE = "85766NED"
SURVEY = "CBS, Sociale samenhang en welzijn (15 jaar en ouder)"
COLUMNS = ["leeftijdsband", "indicator", "jaar", "waarde", "ondergrens", "bovengrens", "tabel"]
_DIMENSION_TYPES = ("Dimension", "GeoDimension", "TimeDimension")
_INDICATORS = {
    "Eenzaamheid": "eenzaam",
    "Eenzaam": "eenzaam",
    "SocialeEenzaamheid": "sociaal_eenzaam",
    "SociaalEenzaam": "sociaal_eenzaam",
    "EmotioneleEenzaamheid": "emotioneel_eenzaam",
    "EmotioneelEenzaam": "emotioneel_eenzaam",
    "ErnstigEenzaam": "sterk_eenzaam",
    "SterkEenzaam": "sterk_eenzaam",
    "ErnstigZeerErnstigEenzaam": "sterk_eenzaam",
}
_INDICATOR_TITLES = {
    "eenzaamheid": "eenzaam", "eenzaam": "eenzaam",
    "sociale eenzaamheid": "sociaal_eenzaam", "sociaal eenzaam": "sociaal_eenzaam",
    "emotionele eenzaamheid": "emotioneel_eenzaam", "emotioneel eenzaam": "emotioneel_eenzaam",
    "sterk eenzaam": "sterk_eenzaam", "(zeer) ernstig eenzaam": "sterk_eenzaam", "ernstig eenzaam": "sterk_eenzaam",
}


def _clean(text: object) -> str:
    return re.sub(r"\s+", " ", str(text or "")).strip()


def _band(title: str) -> str | None:
    """'15 tot 25 jaar' → '15–25', '75 jaar of ouder' → '75+', 'Totaal personen' → 'totaal' (a 'Leeftijd:' prefix is allowed)."""
    title = _clean(title).lower()
    if ":" in title:
        head, title = (part.strip() for part in title.split(":", 1))
        if not head.startswith("leeftijd"):
            return None
    if m := re.fullmatch(r"(\d+) ?(?:tot|-|–) ?(\d+) jaar", title):
        return f"{m.group(1)}–{m.group(2)}"
    if m := re.fullmatch(r"(\d+) jaar (?:of|en) ouder|(\d+)\+(?: jaar)?", title):
        return f"{m.group(1) or m.group(2)}+"
    if title.startswith("totaal"):
        return "totaal"
    return None


def _degree(title: str) -> str | None:
    """A MateVanEenzaamheid category → 'eenzaam' (everyone lonely), 'sterk' (score 9+) or None (not used)."""
    t = _clean(title).lower()
    if "niet" in t or "matig" in t:
        return None
    if re.fullmatch(r"(?:totaal )?eenzaam(?: \(?totaal\)?)?|eenzaam \(matig tot zeer (?:sterk|ernstig)\)|wel eenzaam", t):
        return "eenzaam"
    if re.fullmatch(
        r"(?:\(zeer\) )?(?:sterk|ernstig) eenzaam|(?:sterk|ernstig) (?:tot|en|/) ?zeer (?:sterk|ernstig) eenzaam"
        r"|(?:sterk|ernstig)/zeer (?:sterk|ernstig) eenzaam",
        t,
    ):
        return "sterk"
    return None


def _topic_indicator(prop: dict) -> str | None:
    stem = re.sub(r"_\d+$", "", str(prop["Key"]))
    return _INDICATORS.get(stem) or _INDICATOR_TITLES.get(_clean(prop.get("Title")).lower())


def _find(dims: Sequence[str], wanted: str) -> str | None:
    return next((d for d in dims if d.lower().startswith(wanted.lower())), None)


def _or(field: str, keys: Sequence[str]) -> str:
    return "(" + " or ".join(f"{field} eq '{k}'" for k in keys) + ")"


def _age_group_ids(source: ODataCatalog, table: str) -> set[object] | None:
    """IDs of the Kenmerken category group(s) titled 'Leeftijd…' (and their children); None when unknown."""
    try:
        groups = source.records(table, "CategoryGroups")
    except EenzaamheidError:
        return None
    ids = {g.get("ID") for g in groups if _clean(g.get("Title")).lower().startswith("leeftijd")}
    if not ids:
        return None
    grew = True
    while grew:
        more = {g.get("ID") for g in groups if g.get("ParentID") in ids} - ids
        ids |= more
        grew = bool(more)
    return ids


def _bands(source: ODataCatalog, table: str, kenmerken: str) -> dict[str, str]:
    """Raw Kenmerken key → age band ('15–25', …, '75+', 'totaal'); the first key of each band wins."""
    rows = source.records(table, kenmerken)
    age_groups = _age_group_ids(source, table)
    bands: dict[str, str] = {}
    for row in rows:
        band = _band(str(row.get("Title", "")))
        if band is None or band in bands.values():
            continue
        if band != "totaal" and age_groups is not None and row.get("CategoryGroupID") not in age_groups:
            continue
        bands[row["Key"]] = band
    if not any(b != "totaal" for b in bands.values()):
        titles = [_clean(r.get("Title")) for r in rows][:20]
        raise SourceChangedError(f"{table}: no age bands ('15 tot 25 jaar', …) in {kenmerken} (titles: {titles})",
                                 hint="run `eenzaamheid check-sources`")
    return bands


def _held_dimension(source: ODataCatalog, table: str, dim: str) -> str:
    """The one category of an unexpected dimension to keep: its 'Totaal…' category (or its only one)."""
    rows = source.records(table, dim)
    total = [r["Key"] for r in rows if _clean(r.get("Title")).lower().startswith("totaal")]
    if len(rows) == 1:
        return rows[0]["Key"]
    if total:
        return total[0]
    raise SourceChangedError(
        f"{table}: dimension {dim} has no 'Totaal' category to hold fixed ({[_clean(r.get('Title')) for r in rows][:10]})",
        hint="run `eenzaamheid check-sources` and report the change",
    )


def load_age_bands(settings: Settings | None = None, *, table: str = DEFAULT_TABLE) -> pd.DataFrame:
    """Loneliness per age band (15–25 … 75+) and the total, with 95% intervals where published.

    One row per age band, indicator and year; ``attrs["bron"]`` holds the provenance.
    """
    settings = settings or Settings.from_env()
    source = ODataCatalog(settings.cbs_url, settings, publisher="CBS")
    info = source.table_info(table, expected="Eenzaamheid naar leeftijd (CBS)" if table == DEFAULT_TABLE else None)
    props = source.data_properties(table)
    dims = [p["Key"] for p in props if p.get("Type") in _DIMENSION_TYPES]
    periods = next((p["Key"] for p in props if p.get("Type") == "TimeDimension"), None) or _find(dims, "Perioden")
    kenmerken = _find(dims, "Kenmerken")
    margins_dim = _find(dims, "Marges")
    mate_dim = _find(dims, "MateVanEenzaamheid")
    topics = {p["Key"]: ind for p in props if p.get("Type") == "Topic" and (ind := _topic_indicator(p))}
    if kenmerken is None or periods is None or not topics:
        raise SourceChangedError(
            f"{table}: expected a Kenmerken and a Perioden dimension and loneliness topics "
            f"(dimensions: {dims}; topics: {[p['Key'] for p in props if p.get('Type') == 'Topic'][:10]})",
            hint="run `eenzaamheid check-sources`",
        )
    bands = _bands(source, table, kenmerken)
    margins = _resolve_margins(table, source.records(table, margins_dim)) if margins_dim else {}
    years = {r["Key"]: int(str(r["Key"]).strip()[:4]) for r in source.records(table, periods) if re.match(r"^\d{4}JJ", str(r["Key"]).strip())}
    if not years:
        raise SourceChangedError(f"{table}: no yearly periods (….JJ00) in {periods}")

    parts = [_or(kenmerken, list(bands))]
    degrees: dict[str, str] = {}
    degree_titles: dict[str, str] = {}
    if mate_dim:
        for row in source.records(table, mate_dim):
            if (kind := _degree(str(row.get("Title", "")))) and kind not in degrees.values():
                degrees[row["Key"]] = kind
                degree_titles[kind] = _clean(row.get("Title"))
        if "eenzaam" not in degrees.values():
            titles = [_clean(r.get("Title")) for r in source.records(table, mate_dim)]
            raise SourceChangedError(
                f"{table}: no category for 'eenzaam' in {mate_dim} (titles: {titles})", hint="run `eenzaamheid check-sources`"
            )
        parts.append(_or(mate_dim, list(degrees)))
    held = {d: _held_dimension(source, table, d) for d in dims if d not in (kenmerken, periods, margins_dim, mate_dim)}
    parts += [f"{d} eq '{k}'" for d, k in held.items()]
    if margins_dim:
        parts.append(_or(margins_dim, list(margins)))
    band_filter = " and ".join(parts)
    select = [kenmerken, periods, *([margins_dim] if margins_dim else []), *([mate_dim] if mate_dim else []), *topics]
    entry = source.get(table, "TypedDataSet", filters=band_filter, select=select, label="leeftijd")
    raw = pd.DataFrame.from_records(entry.json())

    records: list[tuple[str, str, int, str, float]] = []
    band_of, year_of, margin_of, degree_of = (_stripped_keys(m) for m in (bands, years, margins, degrees))
    for row in raw.to_dict("records") if len(raw) else []:
        band = band_of.get(str(row.get(kenmerken, "")).strip())
        year = year_of.get(str(row.get(periods, "")).strip())
        margin = margin_of.get(str(row.get(margins_dim, "")).strip()) if margins_dim else "waarde"
        degree = degree_of.get(str(row.get(mate_dim, "")).strip()) if mate_dim else "eenzaam"
        if band is None or year is None or margin is None or degree is None:
            continue
        for key, indicator in topics.items():
            if degree == "sterk":
                if indicator != "eenzaam":
                    continue
                indicator = "sterk_eenzaam"
            records.append((band, indicator, year, margin, _number(row.get(key))))
    long = pd.DataFrame.from_records(records, columns=["leeftijdsband", "indicator", "jaar", "marge", "v"])
    dup = long.duplicated(["leeftijdsband", "indicator", "jaar", "marge"], keep=False)
    if dup.any():
        raise InvalidDataError(
            f"{table}: {int(dup.sum())} rows for the same age band, indicator, year and margin", rows=long[dup],
            hint="the table has gained a dimension or category; run `eenzaamheid check-sources`",
        )
    wide = long.pivot(index=["leeftijdsband", "indicator", "jaar"], columns="marge", values="v").reset_index() if len(long) else pd.DataFrame(columns=["leeftijdsband", "indicator", "jaar"])
    for col in ("waarde", "ondergrens", "bovengrens"):
        if col not in wide:
            wide[col] = float("nan")
    wide.columns.name = None
    wide["jaar"] = wide["jaar"].astype("int64")
    wide["tabel"] = table
    wide = wide[COLUMNS].sort_values(["indicator", "jaar", "leeftijdsband"], ignore_index=True)
    for col in ("waarde", "ondergrens", "bovengrens"):
        wide[col] = wide[col].astype("float64")
    wide.attrs["bron"] = {
        "publisher": "CBS",
        "survey": SURVEY,
        "table": table,
        "title": str(info.get("Title", "")).strip(),
        "years": sorted(set(years.values())),
        "modified": info.get("Modified"),
        "fetched_at": entry.meta.get("fetched_at"),
        "demo": settings.demo,
        "categories": {"MateVanEenzaamheid": degree_titles, **{d: k.strip() for d, k in held.items()}},
    }
    return wide


def _stripped_keys(mapping: dict) -> dict:
    return {str(k).strip(): v for k, v in mapping.items()}


def _number(value: object) -> float:
    if value is None:
        return float("nan")
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip()
    try:
        return float(text) if text not in ("", ".", "x", "-", "?") else float("nan")
    except ValueError:
        return float("nan")
