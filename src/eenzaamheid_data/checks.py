"""Ask each live source for its metadata and say what still holds and what changed.

Used by ``eenzaamheid check-sources`` and the ``live`` tests: a maintainer learns of a change in the
sources before the users do. Nothing is cached: every check asks the source again.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import requests

from .config import Settings
from .errors import EenzaamheidError

Status = str  # "ok", "changed", "failed"


@dataclass(frozen=True)
class Check:
    source: str
    what: str
    status: Status
    detail: str


def _run(source: str, what: str, probe: Callable[[], str]) -> Check:
    try:
        return Check(source, what, "ok", probe())
    except EenzaamheidError as err:
        status = "failed" if err.exit_code == 1 and "did not answer" in err.message else "changed"
        # not "run `eenzaamheid check-sources`": that is what is running
        return Check(source, what, status, err.message if "check-sources" in (err.hint or "") else str(err))
    except (requests.RequestException, KeyError, ValueError) as err:
        return Check(source, what, "failed", f"{type(err).__name__}: {err}")


def check_sources(
    settings: Settings,
    *,
    rivm_tables: Iterable[str] | None = None,
    boundary_levels: Iterable[str] = ("gemeente", "wijk", "buurt", "provincie", "ggdregio"),
) -> list[Check]:
    """Run every check against the endpoints in ``settings`` with an empty, throw-away cache."""
    from . import national, population, rivm

    checks: list[Check] = []
    with tempfile.TemporaryDirectory(prefix="eenzaamheid-check-") as tmp:
        live = settings.replace(data_dir=Path(tmp), offline=False, refresh=False, retries=min(settings.retries, 1))
        source = rivm.catalog(live)
        years: set[int] = set()
        for table in rivm_tables or rivm.KNOWN_TABLES:
            if rivm_tables and table not in rivm.KNOWN_TABLES:
                rivm.resolve_schema(source, table)  # an id typed wrong is bad input (exit 2, with suggestions), not a change

            def probe_rivm(table: str = table) -> str:
                schema = rivm.resolve_schema(source, table)
                years.add(schema.classification_year)
                expected = rivm.KNOWN_TABLES.get(table)
                if expected and expected != schema.classification_year:
                    raise EenzaamheidError(f"classification year is now {schema.classification_year}, expected {expected}")
                names = rivm.region_names(source, schema, "gemeente").json()
                n_gm = sum(str(r["Key"]).strip().startswith("GM") for r in names)
                topics = ", ".join(f"{k}={v}" for k, v in schema.topics.items())
                periods = ", ".join(str(y) for y in sorted(schema.periods.values()))
                official = rivm.GEMEENTEN_PER_CLASSIFICATION.get(schema.classification_year)
                if official and n_gm != official:
                    raise EenzaamheidError(f"{n_gm} gemeenten in the region dimension, expected {official}")
                sanity = _sanity_note(source, schema, rivm)
                return f"indeling {schema.classification_year}; {n_gm} gemeenten; years {periods}; {topics}{sanity}"

            checks.append(_run("RIVM", table, probe_rivm))

        if not years:  # no RIVM table answered: still run (and show) the other checks, for the years the contract expects
            years = {rivm.KNOWN_TABLES[t] for t in (rivm_tables or rivm.KNOWN_TABLES) if t in rivm.KNOWN_TABLES}
        for year in sorted(years):
            checks.append(_run("CBS", f"Gebieden in Nederland {year}", lambda year=year: _gebieden(live, year)))
            checks.append(_run("CBS", f"Kerncijfers wijken en buurten {year}", lambda year=year: _kerncijfers(live, year, population)))
        checks.append(_run("CBS", national.DEFAULT_TABLE, lambda: _national(live, national)))
        for year in sorted(years):
            for level in boundary_levels:
                checks.append(_run("PDOK", f"{level}_gegeneraliseerd {year}", lambda level=level, year=year: _boundary_layer(live, level, year)))
    return checks


# data-sources.md: Nederland, 18+, 2022 — eenzaam about 49%, sterk about 14%, emotioneel about 30%, sociaal about 35%.
SANITY_NL_2022 = {"eenzaam": 49.0, "sterk_eenzaam": 14.0, "emotioneel_eenzaam": 30.0, "sociaal_eenzaam": 35.0}
SANITY_TOLERANCE = 6.0


def _sanity_note(source, schema, rivm) -> str:  # noqa: ANN001 - rivm objects, imported late
    """'; NL 2022 18+: 49.1/13.8/30.2/34.9%' — and a warning when a figure is far from the documented one
    (a sign that a topic was matched to the wrong column). Never fails the check by itself."""
    period = next((k for k, y in schema.periods.items() if y == 2022), None)
    age = next((k for k, a in schema.ages.items() if a == "18+"), None)
    value = next((k for k, m in schema.margins.items() if m == "waarde"), None)
    if period is None or age is None or value is None:
        return ""
    rows = source.records(
        schema.table, "TypedDataSet",
        filters=f"startswith({schema.region_dim},'NL') and {schema.age_dim} eq '{age}' and {schema.margin_dim} eq '{value}' and {schema.period_dim} eq '{period}'",
        select=[schema.region_dim, *schema.topics.values()], label="sanity",
    )
    if not rows:
        return "; no figures for Nederland 18+ 2022"
    got = {ind: _as_number(rows[0].get(key)) for ind, key in schema.topics.items()}
    text = "/".join("–" if v is None else f"{v:.1f}" for v in got.values())
    off = [
        f"{ind} {v:.1f} (documented ≈{SANITY_NL_2022[ind]:.0f})"
        for ind, v in got.items()
        if v is not None and abs(v - SANITY_NL_2022[ind]) > SANITY_TOLERANCE
    ]
    note = f"; NL 2022 18+: {text}%"
    if off:
        note += " — WARNING far from the documented figures: " + ", ".join(off) + "; check the topic mapping"
    return note


def _as_number(value: object) -> float | None:
    try:
        return float(str(value).strip()) if value is not None else None
    except ValueError:
        return None  # "." (suppressed) in an untyped answer


def _gebieden(settings: Settings, year: int) -> str:
    from .regions import load_gemeenten

    frame = load_gemeenten(settings, year=year)
    return f"{frame.attrs['bron']['table']}: {len(frame)} gemeenten, {frame['provinciecode'].nunique()} provincies, {frame['ggdregiocode'].nunique()} GGD-regio's"


def _kerncijfers(settings: Settings, year: int, population) -> str:  # noqa: ANN001 - module passed to avoid a cycle
    frame = population.load_population(settings, year=year)
    bron = frame.attrs["bron"]
    n_gm = int((frame["niveau"] == "gemeente").sum())
    nl = frame.loc[frame["regiocode"] == "NL01", "inwoners"]
    notes = "; ".join(frame.attrs.get("meldingen", []))
    if notes:
        raise EenzaamheidError(notes)
    return (
        f"{bron['table']}: {bron['title']}; {n_gm} gemeenten"
        + (f"; Nederland {int(nl.iloc[0]):,} inwoners".replace(",", ".") if len(nl) and nl.notna().all() else "")
        + f"; stedelijkheid known for {int(frame['stedelijkheid'].notna().sum())} regions"
    )


def _national(settings: Settings, national) -> str:  # noqa: ANN001
    frame = national.load_age_bands(settings)
    bands = ", ".join(sorted(frame["leeftijdsband"].unique()))
    return f"bands {bands}; indicators {', '.join(sorted(frame['indicator'].unique()))}"


def _boundary_layer(settings: Settings, level: str, year: int) -> str:
    from .geo import probe_layer

    return probe_layer(settings, level=level, year=year)


def format_checks(checks: list[Check]) -> str:
    """A short fixed-width table for the terminal."""
    rows = [("source", "what", "status", "detail"), *((c.source, c.what, c.status.upper() if c.status != "ok" else "ok", c.detail) for c in checks)]
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    return "\n".join(f"{r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:<{widths[2]}}  {r[3]}" for r in rows)
