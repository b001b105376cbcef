"""The demo: the fictitious world of ``demo_world`` served through the same replicas and code as real data.

``with demo.serve() as settings:`` starts a local CBS OData replica and a PDOK replica on 127.0.0.1
holding the demo tables and boundaries in the sources' own raw shape, and yields Settings pointing
at them, with a cache of its own. Everything made from it says "fictieve voorbeelddata".
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from functools import lru_cache
from pathlib import Path

from . import demo_world as world
from . import rivm
from .config import Settings
from .testing.cbs_tables import Region, cbs_eenzaamheid_table, gebieden_table, kerncijfers_table, rivm_health_table
from .testing.odata_replica import ODataReplica, ReplicaTable

RIVM_TABLE = rivm.DEMO_TABLE
GEBIEDEN_TABLE = "85755NED"
KERNCIJFERS_TABLE = "85984NED"
NATIONAL_TABLE = "85766NED"
DEMO_GEMEENTE = "GM9001"


def _areas() -> dict[str, tuple[world.Area, str]]:
    """Every demo area by code, with its level."""
    out: dict[str, tuple[world.Area, str]] = {}
    for gem in world.build_gemeenten():
        out[gem.code] = (gem, "gemeente")
        for wijk in gem.children:
            out[wijk.code] = (wijk, "wijk")
            for buurt in wijk.children:
                out[buurt.code] = (buurt, "buurt")
    return out


def _national_area() -> world.Area:
    gemeenten = world.build_gemeenten()
    total = sum(g.inhabitants for g in gemeenten)
    share = sum(g.share_65plus * g.inhabitants for g in gemeenten) / total
    return world.Area("NL01", "Nederland", "", total, share, 3)


@lru_cache(maxsize=1)
def tables() -> tuple[ReplicaTable, ...]:
    """The demo's CBS-shaped tables (RIVM 50150NED, Gebieden 2024, Kerncijfers 2024, 85766NED)."""
    areas = _areas()
    names = {g[0]: g[1] for g in world.gemeente_regions()}
    regions = [Region("NL01", "Nederland", None, None)] + [
        Region(code, area.name, area.gemeentecode, names[area.gemeentecode]) for code, (area, _) in areas.items()
    ]
    national = _national_area()
    weights = {code: area.inhabitants for code, (area, level) in areas.items() if level == "gemeente"}

    def national_value(age: str, year: int, indicator: str) -> float | None:
        values = [(world.estimate(areas[c][0], age, year, indicator, "gemeente"), w) for c, w in weights.items()]
        values = [(v, w) for v, w in values if v is not None]
        return round(sum(v * w for v, w in values) / sum(w for _, w in values), 1) if values else None

    def value(region: Region, age_key: str, year: int, indicator: str) -> float | None:
        age = {"20300": "18+", "53115": "18-64", "80200": "65+"}[age_key.strip()]
        if region.code == "NL01":
            return national_value(age, year, indicator)
        area, level = areas[region.code]
        return world.estimate(area, age, year, indicator, level)

    def half_width(region: Region) -> float:
        if region.code == "NL01":
            return world.half_width(national, "nederland")
        area, level = areas[region.code]
        return world.half_width(area, level)

    def inhabitants(region: Region) -> int:
        return national.inhabitants if region.code == "NL01" else areas[region.code][0].inhabitants

    rivm = rivm_health_table(
        RIVM_TABLE, regions, key_style="50150NED", periods=world.PERIODS, classification_year=world.CLASSIFICATION_YEAR,
        values=value, half_width=half_width,
        title=f"Gezondheid per wijk en buurt; 2012/2016/2020/2022/2024 (indeling 2024) — {world.DEMO_MARK}",
    )
    return (
        rivm,
        gebieden_table(GEBIEDEN_TABLE, world.CLASSIFICATION_YEAR, world.gemeente_regions()),
        kerncijfers_table(KERNCIJFERS_TABLE, world.CLASSIFICATION_YEAR, regions, inhabitants=inhabitants),
        cbs_eenzaamheid_table(NATIONAL_TABLE),
    )


@lru_cache(maxsize=1)
def boundary_layers() -> dict[tuple[str, int], dict]:
    """The demo's boundaries as PDOK-shaped GeoJSON per (layer, year)."""
    from .testing.geometry import demo_layers

    return demo_layers(world.build_gemeenten(), world.PROVINCIES, world.GGD_REGIOS, world.gemeente_regions(), world.CLASSIFICATION_YEAR)


@contextmanager
def serve(settings: Settings | None = None) -> Iterator[Settings]:
    """Serve the demo world on 127.0.0.1 and yield Settings for it (with a throw-away cache)."""
    from .testing.pdok_replica import PDOKReplica

    base = settings or Settings.from_env()
    with ExitStack() as stack:
        odata = stack.enter_context(ODataReplica(tables()))
        pdok = stack.enter_context(PDOKReplica(boundary_layers()))
        root = Path(base.data_dir) / "demo"
        root.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix="run-", dir=root))
        stack.callback(shutil.rmtree, tmp, ignore_errors=True)
        yield base.replace(
            rivm_url=odata.url, cbs_url=odata.url, pdok_url=pdok.url, data_dir=tmp,
            offline=False, refresh=False, demo=True, retries=0,
        )
