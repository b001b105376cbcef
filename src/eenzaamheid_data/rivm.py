"""The RIVM/GGD'en/CBS Gezondheidsmonitor small-area estimates: from the source to the tidy table.

Keys are resolved from the table's own metadata at run time (topic suffixes differ per table, and
``ErnstigZeerErnstigEenzaam`` became ``SterkEenzaam``); the server is asked only for what is needed.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from .cache import Cache, CacheEntry
from .config import Settings
from .errors import BadInputError, InvalidDataError, NotCachedError, SourceChangedError
from .odata import ODataCatalog, Progress

log = logging.getLogger(__name__)

KNOWN_TABLES: dict[str, int] = {"50150NED": 2024, "50120NED": 2022, "50090NED": 2020}
"""Gezondheidsmonitor tables on dataderden.cbs.nl and their regional classification year."""
DEFAULT_TABLE = "50150NED"
DEMO_TABLE = "50150NED"
"""The one table the shipped demo world serves (``demo.RIVM_TABLE`` is this)."""

GEMEENTEN_PER_CLASSIFICATION: dict[int, int] = {
    2018: 380, 2019: 355, 2020: 355, 2021: 352, 2022: 345, 2023: 342, 2024: 342, 2025: 342,
}

PUBLISHER = "RIVM, GGD'en en CBS (Gezondheidsmonitor Volwassenen en Ouderen)"

COLUMNS = [
    "regiocode", "regionaam", "niveau", "gemeentecode", "jaar", "leeftijd",
    "indicator", "waarde", "ondergrens", "bovengrens", "tabel",
]
KEY = ["regiocode", "jaar", "leeftijd", "indicator"]
VALUE_COLUMNS = ["waarde", "ondergrens", "bovengrens"]
INDICATORS = ("eenzaam", "sterk_eenzaam", "emotioneel_eenzaam", "sociaal_eenzaam")
AGES = ("18+", "18-64", "65+")
LEVELS = ("gemeente", "wijk", "buurt")
Level = Literal["gemeente", "wijk", "buurt"]

_TOPIC_STEMS: dict[str, tuple[str, ...]] = {
    "eenzaam": ("Eenzaam",),
    "sterk_eenzaam": ("SterkEenzaam", "ErnstigZeerErnstigEenzaam", "ZeerErnstigEenzaam"),
    "emotioneel_eenzaam": ("EmotioneelEenzaam",),
    "sociaal_eenzaam": ("SociaalEenzaam",),
}
_TOPIC_TITLES: dict[str, tuple[str, ...]] = {
    "eenzaam": ("eenzaam",),
    "sterk_eenzaam": ("sterk eenzaam", "(zeer) ernstig eenzaam", "ernstig/zeer ernstig eenzaam"),
    "emotioneel_eenzaam": ("emotioneel eenzaam",),
    "sociaal_eenzaam": ("sociaal eenzaam",),
}
_KNOWN_AGE_KEYS = {"20300": "18+", "53115": "18-64", "80200": "65+"}
_KNOWN_MARGIN_KEYS = {"MW00000": "waarde", "MOG0095": "ondergrens", "MBG0095": "bovengrens"}
_LEVEL_PREFIX = {"NL": "nederland", "GM": "gemeente", "WK": "wijk", "BU": "buurt"}


@dataclass(frozen=True)
class TableSchema:
    """What the table's metadata says: its keys for everything the package needs."""

    table: str
    title: str
    modified: str | None
    classification_year: int
    topics: dict[str, str]  # indicator -> topic key
    region_dim: str
    age_dim: str
    margin_dim: str
    period_dim: str
    ages: dict[str, str]  # raw key -> 18+/18-64/65+
    margins: dict[str, str]  # raw key -> waarde/ondergrens/bovengrens
    periods: dict[str, int]  # raw key -> year
    age_dim_size: int = 0
    margin_dim_size: int = 0
    sources: tuple[str, ...] = field(default=(), compare=False)  # sha256 of the metadata entries used


@dataclass(frozen=True)
class Query:
    filters: str
    select: tuple[str, ...]
    label: str


def _strip(value: Any) -> str:
    return str(value).strip() if value is not None else ""


def _stem(key: str) -> str:
    return re.sub(r"_\d+$", "", key)


def catalog(settings: Settings, progress: Progress | None = None) -> ODataCatalog:
    """The dataderden catalog that publishes the RIVM tables."""
    return ODataCatalog(settings.rivm_url, settings, publisher=PUBLISHER, progress=progress)


# -- metadata ------------------------------------------------------------------------------------


def resolve_schema(source: ODataCatalog, table: str) -> TableSchema:
    """Read the table's metadata and find every key the package needs, by name and title."""
    if source.settings.demo and table != DEMO_TABLE:  # the demo world serves one table; a real id is not 'changed' there
        raise BadInputError(f"the demo data have only table {DEMO_TABLE}, not {table}",
                            hint="leave out --table, or leave out --demo to use the real tables")
    known = f"Gezondheidsmonitor {KNOWN_TABLES[table]}" if table in KNOWN_TABLES else None
    info_entry = source.table_info_entry(table, expected=known)  # a table the package knows that is gone: the source changed
    info = (info_entry.json() or [{}])[0]
    props_entry = source.get(table, "DataProperties")
    props = props_entry.json()
    title = _strip(info.get("Title")) or table
    year = _classification_year(table, title)

    dims = {p.get("Type"): p["Key"] for p in props if p.get("Type") in ("GeoDimension", "TimeDimension")}
    plain_dims = [p["Key"] for p in props if p.get("Type") == "Dimension"]
    region_dim = dims.get("GeoDimension") or _pick(plain_dims, "WijkenEnBuurten", table)
    period_dim = dims.get("TimeDimension") or _pick(plain_dims, "Perioden", table)
    age_dim = _pick(plain_dims, "Leeftijd", table)
    margin_dim = _pick(plain_dims, "Marges", table)

    topics = _resolve_topics(table, _topics_loneliness_group_first(props))
    age_entry = source.get(table, age_dim)
    margin_entry = source.get(table, margin_dim)
    period_entry = source.get(table, period_dim)
    ages = _resolve_ages(table, age_entry.json())
    margins = _resolve_margins(table, margin_entry.json())
    periods = {
        row["Key"]: int(_strip(row["Key"])[:4])
        for row in period_entry.json()
        if re.match(r"^\d{4}JJ", _strip(row["Key"]))
    }
    if not periods:
        raise SourceChangedError(f"{table}: no yearly periods (….JJ00) in dimension {period_dim}")
    return TableSchema(
        table=table,
        title=title,
        modified=info.get("Modified"),
        classification_year=year,
        topics=topics,
        region_dim=region_dim,
        age_dim=age_dim,
        margin_dim=margin_dim,
        period_dim=period_dim,
        ages=ages,
        margins=margins,
        periods=periods,
        age_dim_size=len(age_entry.json()),
        margin_dim_size=len(margin_entry.json()),
        sources=tuple(e.meta["sha256"] for e in (info_entry, props_entry, age_entry, margin_entry, period_entry)),
    )


def _classification_year(table: str, title: str) -> int:
    match = re.search(r"indeling\s+(\d{4})", title, flags=re.IGNORECASE)
    if match:
        return int(match.group(1))
    if table in KNOWN_TABLES:
        return KNOWN_TABLES[table]
    raise SourceChangedError(
        f"{table}: cannot tell the regional classification year from its title {title!r}",
        hint="expected '(indeling JJJJ)' in the title, as in the RIVM tables",
    )


def _pick(keys: Sequence[str], wanted: str, table: str) -> str:
    for key in keys:
        if key == wanted or key.lower().startswith(wanted.lower()):
            return key
    raise SourceChangedError(f"{table}: no dimension {wanted!r} (dimensions: {', '.join(keys) or 'none'})")


def _topics_loneliness_group_first(props: list[dict]) -> list[dict]:
    """The Topic entries, those under the TopicGroup titled "Eenzaamheid" first (should a stem recur elsewhere)."""
    groups = {p.get("ID") for p in props if p.get("Type") == "TopicGroup" and _strip(p.get("Title")).lower() == "eenzaamheid"}
    topics = [p for p in props if p.get("Type") == "Topic"]
    return sorted(topics, key=lambda p: p.get("ParentID") not in groups) if groups else topics


def _resolve_topics(table: str, topics: list[dict]) -> dict[str, str]:
    by_stem: dict[str, str] = {}
    by_title: dict[str, str] = {}
    for t in topics:
        by_stem.setdefault(_stem(t["Key"]), t["Key"])
        by_title.setdefault(_strip(t.get("Title")).lower(), t["Key"])
    found: dict[str, str] = {}
    for indicator, stems in _TOPIC_STEMS.items():
        key = next((by_stem[s] for s in stems if s in by_stem), None)
        key = key or next((by_title[t] for t in _TOPIC_TITLES[indicator] if t in by_title), None)
        if key is None:
            near = sorted(k for k in by_stem if "eenzaam" in k.lower())
            raise SourceChangedError(
                f"{table}: no topic for {indicator!r} in DataProperties (loneliness topics there: {near or 'none'})",
                hint="run `eenzaamheid check-sources` and report the change",
            )
        found[indicator] = key
    return found


def _resolve_ages(table: str, rows: list[dict]) -> dict[str, str]:
    found: dict[str, str] = {}
    for row in rows:
        title = _strip(row.get("Title")).lower()
        label = None
        if m := re.fullmatch(r"(\d+) jaar (?:of|en) ouder", title):
            label = {18: "18+", 19: "18+", 65: "65+"}.get(int(m.group(1)))
        elif m := re.fullmatch(r"(\d+) ?(tot en met|t/m|tot|-|–) ?(\d+) jaar", title):
            upper = int(m.group(3)) + (1 if m.group(2) in ("tot en met", "t/m", "-", "–") else 0)
            label = "18-64" if int(m.group(1)) in (18, 19) and upper == 65 else None
        label = label or _KNOWN_AGE_KEYS.get(_strip(row["Key"]))
        if label and label not in found.values():
            found[row["Key"]] = label
    missing = set(AGES) - set(found.values())
    if missing:
        titles = [_strip(r.get("Title")) for r in rows]
        raise SourceChangedError(f"{table}: age groups {sorted(missing)} not found in Leeftijd ({titles})")
    return found


def _resolve_margins(table: str, rows: list[dict]) -> dict[str, str]:
    found: dict[str, str] = {}
    for row in sorted(rows, key=lambda r: "95" not in _strip(r.get("Title"))):
        title = _strip(row.get("Title")).lower()
        label = (
            "ondergrens" if "ondergrens" in title
            else "bovengrens" if "bovengrens" in title
            else "waarde" if title.startswith("waarde")
            else _KNOWN_MARGIN_KEYS.get(_strip(row["Key"]))
        )
        if label and label not in found.values():
            found[row["Key"]] = label
    missing = {"waarde", "ondergrens", "bovengrens"} - set(found.values())
    if missing:
        raise SourceChangedError(f"{table}: margins {sorted(missing)} not found in Marges")
    return found


# -- what to ask the server ----------------------------------------------------------------------


def _or(field_: str, keys: Sequence[str]) -> str:
    return "(" + " or ".join(f"{field_} eq '{k}'" for k in keys) + ")"


def plan_queries(
    schema: TableSchema, level: Level, gemeentecode: str | None = None, years: Sequence[int] | None = None
) -> list[Query]:
    """The data-set requests for one level: server-side filters on region, age, margin and period."""
    region = schema.region_dim
    if level == "gemeente":
        region_filter = f"(startswith({region},'NL') or startswith({region},'GM'))"
    else:
        prefix = {"wijk": "WK", "buurt": "BU"}[level] + (gemeentecode[2:] if gemeentecode else "")
        region_filter = f"startswith({region},'{prefix}')"
    parts = [region_filter]
    if len(schema.ages) < schema.age_dim_size:
        parts.append(_or(schema.age_dim, list(schema.ages)))
    if len(schema.margins) < schema.margin_dim_size:
        parts.append(_or(schema.margin_dim, list(schema.margins)))
    select = (region, schema.age_dim, schema.margin_dim, schema.period_dim, *schema.topics.values())
    period_keys = [k for k, y in schema.periods.items() if years is None or y in years]
    if not period_keys:
        raise BadInputError(
            f"{schema.table} has no survey year {', '.join(map(str, years or []))}",
            hint="years in this table: " + ", ".join(map(str, sorted(schema.periods.values()))),
        )
    everything = len(period_keys) == len(schema.periods)
    if level != "gemeente" and gemeentecode is None:
        # All wijken or buurten of the country: one request per year, so a dropped download resumes.
        return [
            Query(" and ".join([*parts, f"{schema.period_dim} eq '{k}'"]), select, f"{level}, {schema.periods[k]}")
            for k in period_keys
        ]
    if not everything:
        parts.append(_or(schema.period_dim, period_keys))
    scope = f"{level}" + (f" {gemeentecode}" if gemeentecode else "")
    return [Query(" and ".join(parts), select, scope)]


def _names_filter(schema: TableSchema, level: Level, gemeentecode: str | None) -> str:
    if level == "gemeente":
        return "startswith(Key,'NL') or startswith(Key,'GM')"
    prefix = {"wijk": "WK", "buurt": "BU"}[level] + (gemeentecode[2:] if gemeentecode else "")
    return f"startswith(Key,'{prefix}')"


def region_names(source: ODataCatalog, schema: TableSchema, level: Level, gemeentecode: str | None = None) -> CacheEntry:
    """The region dimension rows (Key, Title) for one level, filtered on the server."""
    return source.dimension(schema.table, schema.region_dim, filters=_names_filter(schema, level, gemeentecode), label=level)


# -- cleaning --------------------------------------------------------------------------------------


@dataclass
class CleanReport:
    """What happened to the rows the source sent: every row is in the tidy table or listed here."""

    received: int = 0
    used: int = 0
    set_aside: pd.DataFrame = field(default_factory=pd.DataFrame)
    warnings: list[str] = field(default_factory=list)
    notes_nl: list[str] = field(default_factory=list)
    """The same notes in plain Dutch, for the reports (officials read those, not the log)."""

    def note(self, english: str, dutch: str) -> None:
        """One note, for the log (English) and for the reports (Dutch), kept in step."""
        self.warnings.append(english)
        self.notes_nl.append(dutch)


def to_tidy(
    records: list[dict], schema: TableSchema, names: dict[str, str], level: Level
) -> tuple[pd.DataFrame, CleanReport]:
    """Records of the data set (as the source sent them) → the tidy long table."""
    report = CleanReport(received=len(records))
    if not records:
        return pd.DataFrame({c: pd.Series(dtype="float64" if c in VALUE_COLUMNS else "int64" if c == "jaar" else "str") for c in COLUMNS}), report
    raw = pd.DataFrame.from_records(records)
    missing_cols = [c for c in (schema.region_dim, schema.age_dim, schema.margin_dim, schema.period_dim, *schema.topics.values()) if c not in raw]
    if missing_cols:
        raise SourceChangedError(f"{schema.table}: the data set lacks columns {missing_cols}")

    code = raw[schema.region_dim].astype(str).str.strip()
    niveau = code.str[:2].map(_LEVEL_PREFIX)
    age = raw[schema.age_dim].astype(str).str.strip().map({_strip(k): v for k, v in schema.ages.items()})
    margin = raw[schema.margin_dim].astype(str).str.strip().map({_strip(k): v for k, v in schema.margins.items()})
    year = raw[schema.period_dim].astype(str).str.strip().map({_strip(k): v for k, v in schema.periods.items()})
    wanted = {"gemeente": {"nederland", "gemeente"}, "wijk": {"wijk"}, "buurt": {"buurt"}}[level]

    reasons = pd.Series("", index=raw.index)
    reasons[~niveau.isin(wanted)] = f"region not at level {level}"
    reasons[age.isna()] = "age group not used"
    reasons[margin.isna()] = "margin not used"
    reasons[year.isna()] = "period is not a survey year"
    keep = reasons == ""
    if (~keep).any():
        report.set_aside = raw.loc[~keep, [schema.region_dim, schema.age_dim, schema.margin_dim, schema.period_dim]].assign(reden=reasons[~keep])
        report.note(f"{int((~keep).sum())} rows set aside: " + "; ".join(f"{n}× {r}" for r, n in reasons[~keep].value_counts().items()),
                    f"{int((~keep).sum())} regels uit de bron zijn niet gebruikt: ze horen bij een ander gebiedsniveau, "
                    "een andere leeftijdsgroep of een periode die geen peiljaar is.")

    frame = pd.DataFrame({"regiocode": code, "niveau": niveau, "leeftijd": age, "marge": margin, "jaar": year})[keep]
    values = raw.loc[keep, list(schema.topics.values())]
    values.columns = list(schema.topics.keys())
    values = values.apply(_numeric, table=schema.table)
    long = pd.concat([frame, values], axis=1).melt(
        id_vars=["regiocode", "niveau", "leeftijd", "marge", "jaar"], var_name="indicator", value_name="v"
    )
    dup = long.duplicated(["regiocode", "jaar", "leeftijd", "indicator", "marge"], keep=False)
    if dup.any():
        rows = long[dup].sort_values(["regiocode", "jaar", "leeftijd", "indicator"])
        raise InvalidDataError(
            f"{schema.table}: {int(dup.sum())} duplicate rows for the same region, year, age and margin, e.g.\n{rows.head(8).to_string(index=False)}",
            rows=rows,
        )
    tidy = long.pivot(index=["regiocode", "niveau", "jaar", "leeftijd", "indicator"], columns="marge", values="v").reset_index()
    for col in VALUE_COLUMNS:
        if col not in tidy:
            tidy[col] = np.nan
    tidy.columns.name = None
    stripped_names = {_strip(k): _strip(v) for k, v in names.items()}
    tidy["regionaam"] = tidy["regiocode"].map(stripped_names).astype(object)
    unnamed = tidy["regionaam"].isna()
    if unnamed.any():
        codes = sorted(tidy.loc[unnamed, "regiocode"].unique())
        report.note(f"{len(codes)} regions without a name in {schema.region_dim}: {codes[:10]}; their code is shown instead",
                    f"{len(codes)} {'gebied heeft' if len(codes) == 1 else 'gebieden hebben'} in de bron geen naam; "
                    "daar staat de gebiedscode.")
        tidy.loc[unnamed, "regionaam"] = tidy.loc[unnamed, "regiocode"]
    tidy["gemeentecode"] = np.where(tidy["niveau"] == "nederland", None, "GM" + tidy["regiocode"].str[2:6])
    tidy["tabel"] = schema.table
    tidy["jaar"] = tidy["jaar"].astype("int64")
    tidy = tidy[COLUMNS].sort_values(["niveau", "regiocode", "indicator", "leeftijd", "jaar"], key=_order).reset_index(drop=True)
    report.used = int(keep.sum())
    return tidy, report


def _order(col: pd.Series) -> pd.Series:
    if col.name == "niveau":
        return col.map({"nederland": 0, "gemeente": 1, "wijk": 2, "buurt": 3})
    if col.name == "indicator":
        return col.map({k: i for i, k in enumerate(INDICATORS)})
    if col.name == "leeftijd":
        return col.map({k: i for i, k in enumerate(AGES)})
    return col


def _numeric(values: pd.Series, table: str) -> pd.Series:
    if pd.api.types.is_numeric_dtype(values):
        return values.astype("float64")
    # The untyped set sends right-aligned strings with "." for a suppressed value.
    text = values.astype("string").str.strip()
    text = text.mask(text.isin(["", ".", "x", "-", "?"]))
    numbers = pd.to_numeric(text, errors="coerce")
    bad = numbers.isna() & text.notna()
    if bad.any():
        raise InvalidDataError(
            f"{table}: {int(bad.sum())} values of {values.name} are not numbers, e.g. {list(text[bad].head(5))}",
            rows=values[bad],
        )
    return numbers.astype("float64")


def validate(tidy: pd.DataFrame, *, table: str, expected_gemeenten: Sequence[str] | None = None) -> list[str]:
    """Check the tidy table; raise InvalidDataError naming the offending rows; return warnings."""
    warnings: list[str] = []
    dup = tidy.duplicated(KEY, keep=False)
    if dup.any():
        raise InvalidDataError(f"{table}: {int(dup.sum())} rows share a key", rows=tidy[dup])
    vals = tidy[VALUE_COLUMNS]
    out_of_range = ((vals < 0) | (vals > 100)).any(axis=1)
    if out_of_range.any():
        rows = tidy[out_of_range]
        raise InvalidDataError(
            f"{table}: {len(rows)} values outside 0–100%:\n{rows.head(8).to_string(index=False)}", rows=rows
        )
    eps = 1e-9
    disorder = (tidy["ondergrens"] > tidy["waarde"] + eps) | (tidy["waarde"] > tidy["bovengrens"] + eps)
    if disorder.any():
        rows = tidy[disorder]
        raise InvalidDataError(
            f"{table}: {len(rows)} rows where ondergrens ≤ waarde ≤ bovengrens does not hold:\n{rows.head(8).to_string(index=False)}",
            rows=rows,
        )
    if expected_gemeenten is not None:
        present = set(tidy.loc[tidy["niveau"] == "gemeente", "regiocode"])
        missing = sorted(set(expected_gemeenten) - present)
        extra = sorted(present - set(expected_gemeenten))
        if missing or extra:
            raise InvalidDataError(
                f"{table}: the data do not cover the gemeenten the table lists: "
                f"missing {missing[:20]}{'…' if len(missing) > 20 else ''}; unexpected {extra[:20]}",
                rows=tidy[tidy["regiocode"].isin(extra)],
            )
    return warnings


def dutch_notes(meta: dict[str, Any]) -> list[str]:
    """The cleaning notes in Dutch; for a cache written before they existed, one line that points to the details."""
    if "meldingen_nl" in meta:
        return list(meta["meldingen_nl"])
    n = len(meta.get("meldingen", []))
    return [f"Bij het inlezen van de bron {'was er 1 melding' if n == 1 else f'waren er {n} meldingen'}; "
            "`eenzaamheid fetch` toont ze."] if n else []


def _official_count_note(schema: TableSchema, n: int) -> tuple[str, str] | None:
    """(English, Dutch) when the table lists another number of gemeenten than the classification has."""
    expected = GEMEENTEN_PER_CLASSIFICATION.get(schema.classification_year)
    if expected is not None and n != expected:
        return (f"{schema.table} lists {n} gemeenten; the {schema.classification_year} classification has {expected}",
                f"Tabel {schema.table} bevat {n} gemeenten; de gemeentelijke indeling van {schema.classification_year} telt er {expected}.")
    return None


# -- the public verb ----------------------------------------------------------------------------------


def load_figures(
    settings: Settings | None = None,
    *,
    table: str | None = None,
    level: Level = "gemeente",
    gemeente: str | None = None,
    years: Sequence[int] | None = None,
    progress: Progress | None = None,
) -> pd.DataFrame:
    """The tidy loneliness table for one level: Nederland and all gemeenten, or wijken/buurten.

    ``gemeente`` (a name or code) limits wijken/buurten to one gemeente (or the gemeente level to
    that gemeente). ``df.attrs["bron"]`` holds the provenance; ``df.attrs["meldingen"]`` what was
    set aside or noticed.
    """
    settings = settings or Settings.from_env()
    table = (table or DEFAULT_TABLE).strip().upper()
    if level not in LEVELS:
        raise BadInputError(f"unknown level {level!r}", hint=f"use one of: {', '.join(LEVELS)}")
    years = _as_years(years)
    gemeente = str(gemeente).strip() if gemeente is not None else None  # a code may come as a number (9001)
    source = catalog(settings, progress)
    schema = resolve_schema(source, table)
    gemeentecode = resolve_gemeente(source, schema, gemeente) if gemeente else None
    try:
        return _load_figures(settings, source, schema, level, gemeentecode, years)
    except NotCachedError as missing:
        one_gemeente = gemeentecode is not None and level != "gemeente"
        if not settings.offline or not (one_gemeente or years is not None):
            raise
        # Offline, one gemeente's wijken or one year may be in the cache as part of the whole level (from a run
        # for every gemeente, or of every year): read that and keep the part asked for.
        try:
            whole = _load_figures(settings, source, schema, level, None, None)
        except NotCachedError:
            raise missing from None
        keep = whole["gemeentecode"] == gemeentecode if one_gemeente else pd.Series(True, index=whole.index)
        if years is not None:
            keep &= whole["jaar"].isin(list(years))
        part = whole[keep].reset_index(drop=True)
        part.attrs = {**whole.attrs, "bron": {**whole.attrs["bron"], **({"years": sorted(years)} if years is not None else {})}}
        return part


def _load_figures(settings: Settings, source: ODataCatalog, schema: TableSchema, level: Level, gemeentecode: str | None,
                  years: Sequence[int] | None) -> pd.DataFrame:
    table = schema.table

    queries = plan_queries(schema, level, gemeentecode if level != "gemeente" else None, years)
    names_level: Level = level
    processed = Cache(settings.processed_dir)
    raw_entries = [source.get(table, "TypedDataSet", filters=q.filters, select=q.select, label=q.label) for q in queries]
    names_entry = region_names(source, schema, names_level, gemeentecode if level != "gemeente" else None)
    inputs = [*schema.sources, *(e.meta["sha256"] for e in raw_entries), names_entry.meta["sha256"]]
    digest = hashlib.sha256("".join(inputs).encode()).hexdigest()[:16]
    scope = level + (f"-{gemeentecode}" if gemeentecode and level != "gemeente" else "")
    path = processed.path("rivm", source.host.replace(":", "_"), table, f"{scope}-{digest}.parquet")

    def build() -> tuple[bytes, dict[str, Any]]:
        tidy, report = _clean_all(raw_entries, names_entry, schema, level, demo=settings.demo)
        meta = _provenance(schema, source, raw_entries, tidy, settings)
        meta["meldingen"] = report.warnings
        meta["meldingen_nl"] = report.notes_nl
        meta["rows_received"] = report.received
        meta["rows_used"] = report.used
        meta["rows_set_aside"] = len(report.set_aside)
        buffer = io.BytesIO()
        tidy.to_parquet(buffer, index=False)
        return buffer.getvalue(), meta

    entry = processed.get_or_fetch(path, build, what=f"cleaned {table} {scope}", offline=False, refresh=False)
    tidy = pd.read_parquet(io.BytesIO(entry.payload))
    tidy.attrs = {}
    if gemeentecode and level == "gemeente":
        tidy = tidy[tidy["regiocode"] == gemeentecode].reset_index(drop=True)
    meta = entry.meta
    tidy.attrs["bron"] = {k: meta[k] for k in ("publisher", "table", "title", "catalog", "classification_year", "years", "modified", "fetched_at", "demo")}
    # fetched again (--refresh) and unchanged, the cleaned copy is reused: its fetch date is that of the download now
    fetched = sorted(str(e.meta["fetched_at"]) for e in raw_entries if e.meta.get("fetched_at"))
    if fetched:
        tidy.attrs["bron"]["fetched_at"] = fetched[0]
    tidy.attrs["meldingen"] = list(meta.get("meldingen", []))
    tidy.attrs["meldingen_nl"] = dutch_notes(meta)
    tidy.attrs["rijen"] = {k: meta.get(k) for k in ("rows_received", "rows_used", "rows_set_aside")}
    for note in tidy.attrs["meldingen"]:
        log.warning("%s", note)
    return tidy


def _clean_all(
    raw_entries: list[CacheEntry], names_entry: CacheEntry, schema: TableSchema, level: Level, *, demo: bool = False
) -> tuple[pd.DataFrame, CleanReport]:
    names = {row["Key"]: row.get("Title", "") for row in names_entry.json()}
    records = [r for e in raw_entries for r in e.json()]
    tidy, report = to_tidy(records, schema, names, level)
    expected = None
    if level == "gemeente":
        expected = sorted({_strip(k) for k in names if _strip(k).startswith("GM")})
        # the demo world is small on purpose; its count is not the official one
        if not demo and (note := _official_count_note(schema, len(expected))):
            report.note(*note)
    report.warnings += validate(tidy, table=schema.table, expected_gemeenten=expected)
    return tidy, report


def _provenance(schema: TableSchema, source: ODataCatalog, raw_entries: list[CacheEntry], tidy: pd.DataFrame, settings: Settings) -> dict[str, Any]:
    fetched = sorted(e.meta.get("fetched_at", "") for e in raw_entries)
    return {
        "publisher": PUBLISHER,
        "table": schema.table,
        "title": schema.title,
        "catalog": source.base_url,
        "classification_year": schema.classification_year,
        "years": sorted(int(y) for y in tidy["jaar"].unique()),
        "modified": schema.modified,
        "fetched_at": fetched[0] if fetched else None,
        "demo": settings.demo,
        "raw": [str(e.path) for e in raw_entries],
        "rows": len(tidy),
    }


def _as_years(years: object) -> list[int] | None:
    """``years`` as whole years: 2024, "2024", [2022, "2024"] all work (a notebook parameter may be text)."""
    if years is None:
        return None
    items = [years] if isinstance(years, (int, str)) else years
    try:
        out = [int(str(y).strip()) for y in items]  # type: ignore[union-attr]
    except (TypeError, ValueError):
        raise BadInputError(f"years={years!r} are not whole years", hint="for example years=[2022, 2024]") from None
    return out


def resolve_gemeente(source: ODataCatalog, schema: TableSchema, text: str) -> str:
    """A gemeente name or code → its code, using the table's own list of gemeenten."""
    from .regions import GemeenteLookup  # regions builds on the tidy vocabulary defined here

    rows = region_names(source, schema, "gemeente").json()
    frame = pd.DataFrame(
        {"gemeentecode": [_strip(r["Key"]) for r in rows], "gemeentenaam": [_strip(r.get("Title")) for r in rows]}
    )
    frame = frame[frame["gemeentecode"].str.startswith("GM")]
    return GemeenteLookup(frame, classification_year=schema.classification_year).resolve(text)


def summary_line(tidy: pd.DataFrame) -> str:
    """One line for the command line: rows, regions, years, missing values."""
    bron = tidy.attrs.get("bron", {})
    levels = tidy["niveau"].value_counts()
    level_text = ", ".join(f"{n} {lvl}" for lvl, n in ((lvl, tidy.loc[tidy['niveau'] == lvl, 'regiocode'].nunique()) for lvl in levels.index))
    missing = int(tidy["waarde"].isna().sum())
    years = ", ".join(map(str, sorted(tidy["jaar"].unique())))
    demo = " [fictieve voorbeelddata]" if bron.get("demo") else ""
    return (
        f"{bron.get('table', '?')} (indeling {bron.get('classification_year', '?')}): {len(tidy)} rows; {level_text}; "
        f"years {years}; {missing} values missing (kept as missing){demo}"
    )


__all__ = [
    "AGES", "COLUMNS", "DEFAULT_TABLE", "INDICATORS", "KNOWN_TABLES", "LEVELS",
    "TableSchema", "load_figures", "resolve_schema", "plan_queries", "to_tidy", "validate", "summary_line",
]
