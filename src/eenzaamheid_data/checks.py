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
from .odata import ODataCatalog

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
        return Check(source, what, status, str(err))
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
                return f"indeling {schema.classification_year}; {n_gm} gemeenten; years {periods}; {topics}"

            checks.append(_run("RIVM", table, probe_rivm))

        for year in sorted(years):
            checks.append(_run("CBS", f"Gebieden in Nederland {year}", lambda year=year: _gebieden(live, year)))
            checks.append(_run("CBS", f"Kerncijfers wijken en buurten {year}", lambda year=year: _kerncijfers(live, year, population)))
        checks.append(_run("CBS", national.DEFAULT_TABLE, lambda: _national(live, national)))
        for year in sorted(years):
            for level in boundary_levels:
                checks.append(_run("PDOK", f"{level}_gegeneraliseerd {year}", lambda level=level, year=year: _boundary_layer(live, level, year)))
    return checks


def _gebieden(settings: Settings, year: int) -> str:
    from .regions import load_gemeenten

    frame = load_gemeenten(settings, year=year)
    return f"{frame.attrs['bron']['table']}: {len(frame)} gemeenten, {frame['provinciecode'].nunique()} provincies, {frame['ggdregiocode'].nunique()} GGD-regio's"


def _kerncijfers(settings: Settings, year: int, population) -> str:  # noqa: ANN001 - module passed to avoid a cycle
    table = population.kerncijfers_table(year)
    source = ODataCatalog(settings.cbs_url, settings, publisher="CBS")
    info = source.table_info(table)
    population._resolve(table, [p["Key"] for p in source.data_properties(table) if p.get("Type") == "Topic"])
    return f"{table}: {str(info.get('Title', '')).strip()}; inhabitant and age topics resolve"


def _national(settings: Settings, national) -> str:  # noqa: ANN001
    frame = national.load_age_bands(settings)
    bands = ", ".join(sorted(frame["leeftijdsband"].unique()))
    return f"bands {bands}; indicators {', '.join(sorted(frame['indicator'].unique()))}"


def _boundary_layer(settings: Settings, level: str, year: int) -> str:
    url = f"{settings.pdok_url}/cbs/gebiedsindelingen/{year}/wfs/v1_0"
    params = {
        "service": "WFS", "version": "2.0.0", "request": "GetFeature",
        "typeName": f"{level}_gegeneraliseerd", "outputFormat": "json", "count": "1",
    }
    response = requests.get(url, params=params, timeout=settings.timeout)
    if response.status_code != 200:
        raise EenzaamheidError(f"WFS answered HTTP {response.status_code}")
    features = response.json().get("features", [])
    if not features:
        raise EenzaamheidError("the layer answered with no features")
    props = features[0].get("properties", {})
    missing = [p for p in ("statcode", "statnaam") if p not in props]
    if missing:
        raise EenzaamheidError(f"features lack {missing} (properties: {sorted(props)})")
    return f"answers; first feature {props['statcode']} {props['statnaam']}"


def format_checks(checks: list[Check]) -> str:
    """A short fixed-width table for the terminal."""
    rows = [("source", "what", "status", "detail"), *((c.source, c.what, c.status.upper() if c.status != "ok" else "ok", c.detail) for c in checks)]
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    return "\n".join(f"{r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:<{widths[2]}}  {r[3]}" for r in rows)
