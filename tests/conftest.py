"""Shared fixtures: a small CBS-shaped world served by the local OData replica over real HTTP."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")

from eenzaamheid_data.config import Settings  # noqa: E402
from eenzaamheid_data.testing.cbs_tables import (  # noqa: E402
    Region,
    cbs_eenzaamheid_table,
    gebieden_table,
    kerncijfers_table,
    rivm_health_table,
)
from eenzaamheid_data.testing.odata_replica import ODataReplica, ReplicaTable  # noqa: E402

REFERENCE_DATA = Path(__file__).resolve().parents[2] / "shared" / "reference-data"

# A few real-looking gemeenten, including an ambiguous name, an apostrophe and a merged-away code.
GEMEENTEN = [
    ("GM0363", "Amsterdam", "PV27", "Noord-Holland", "GG3406", "GGD Amsterdam"),
    ("GM0518", "'s-Gravenhage", "PV28", "Zuid-Holland", "GG3511", "GGD Haaglanden"),
    ("GM0373", "Bergen (NH.)", "PV27", "Noord-Holland", "GG3406", "GGD Hollands Noorden"),
    ("GM0893", "Bergen (L.)", "PV31", "Limburg", "GG6106", "GGD Limburg-Noord"),
    ("GM1980", "Dijk en Waard", "PV27", "Noord-Holland", "GG3406", "GGD Hollands Noorden"),
]


def _regions() -> list[Region]:
    regions = [Region("NL01", "Nederland", None, None)]
    for code, name, *_ in GEMEENTEN:
        regions.append(Region(code, name, code, name))
        digits = code[2:]
        for w in range(3):
            wcode = f"WK{digits}{w:02d}"
            regions.append(Region(wcode, f"Wijk {w} {name}", code, name))
            for b in range(2):
                regions.append(Region(f"BU{digits}{w:02d}{b:02d}", f"Buurt {b} van wijk {w} {name}", code, name))
    return regions


REGIONS = _regions()


def world_tables(*, key_style: str = "50150NED", table_id: str | None = None, year: int = 2024) -> list[ReplicaTable]:
    table_id = table_id or key_style
    return [
        rivm_health_table(table_id, REGIONS, key_style=key_style, classification_year=year,
                          periods=(2012, 2016, 2020, 2022, 2024) if year == 2024 else (2012, 2016, 2020, 2022)),
        gebieden_table({2024: "85755NED", 2022: "85067NED"}[year], year, GEMEENTEN, shift_columns=2),
        kerncijfers_table({2024: "85984NED", 2022: "85318NED"}[year], year, REGIONS),
        cbs_eenzaamheid_table(),
    ]


@pytest.fixture()
def replica() -> Iterator[ODataReplica]:
    """The 50150NED-style world on 127.0.0.1."""
    with ODataReplica(world_tables(), page_size=500) as server:
        yield server


@pytest.fixture()
def settings_for(tmp_path: Path):  # noqa: ANN201 - a small factory
    """Settings pointing both catalogs at a replica, with a fresh cache and no real sleeping."""

    def make(server: ODataReplica, **overrides: object) -> Settings:
        values: dict[str, object] = {
            "rivm_url": server.url, "cbs_url": server.url, "data_dir": tmp_path / "data",
            "timeout": 5.0, "retries": 2, "backoff": 0.0,
        }
        values.update(overrides)
        return Settings(**values)  # type: ignore[arg-type]

    return make
