"""Optional: the national map drawn from real CBS/PDOK gemeente boundaries (2023, WGS84 copy) in ../shared.

Skipped when the reference data are not next to the repository. The file is read in place, served
through the PDOK replica as it is (lon/lat without a crs member) and never copied into the repository.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from eenzaamheid_data import geo, maps
from eenzaamheid_data.config import Settings
from eenzaamheid_data.testing.geometry import unit
from eenzaamheid_data.testing.pdok_replica import PDOKReplica

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference-data" / "boundaries" / "gemeente_2023_wgs84_cartomap-copy.geojson"
YEAR = 2023

pytestmark = pytest.mark.skipif(not REFERENCE.is_file(), reason=f"reference boundaries not found at {REFERENCE}")


def invented_figures(codes: list[str], names: dict[str, str]) -> pd.DataFrame:
    """Invented loneliness figures (not real data) for the real gemeentecodes."""
    rows = []
    for code in codes:
        value = round(32 + 26 * unit(code, "eenzaam"), 1)
        rows.append({"regiocode": code, "regionaam": names[code], "niveau": "gemeente", "gemeentecode": code, "jaar": YEAR,
                     "leeftijd": "18+", "indicator": "eenzaam", "waarde": value, "ondergrens": value - 2.5,
                     "bovengrens": value + 2.5, "tabel": "TEST"})
    rows.append({"regiocode": "NL01", "regionaam": "Nederland", "niveau": "nederland", "gemeentecode": None, "jaar": YEAR,
                 "leeftijd": "18+", "indicator": "eenzaam", "waarde": 45.0, "ondergrens": 44.6, "bovengrens": 45.4, "tabel": "TEST"})
    frame = pd.DataFrame(rows)
    frame.attrs["bron"] = {"publisher": "testgegevens (verzonnen)", "table": "TEST", "classification_year": YEAR,
                           "years": [YEAR], "fetched_at": "2026-11-24T08:00:00+00:00", "demo": True}
    return frame


def test_national_map_from_real_boundaries(tmp_path: Path) -> None:
    collection = json.loads(REFERENCE.read_text(encoding="utf-8"))
    with PDOKReplica({("gemeente", YEAR): collection}) as server:
        settings = Settings(pdok_url=server.url, data_dir=tmp_path / "data", retries=0)
        boundaries = geo.load_boundaries(settings, level="gemeente", year=YEAR)
    assert len(boundaries) == 342 and boundaries.crs.to_epsg() == 28992
    minx, miny, maxx, maxy = boundaries.total_bounds
    assert 0 <= minx < maxx <= 300_000 and 290_000 <= miny < maxy <= 630_000
    assert boundaries.loc[boundaries["statcode"] == "GM0363", "statnaam"].item() == "Amsterdam"
    amsterdam = boundaries.loc[boundaries["statcode"] == "GM0363"].geometry.item().representative_point()
    assert 110_000 < amsterdam.x < 135_000 and 475_000 < amsterdam.y < 495_000  # RD, not lon/lat

    figures = invented_figures(boundaries["statcode"].tolist(), dict(zip(boundaries["statcode"], boundaries["statnaam"])))
    fig, report = maps.make_map(figures, boundaries, indicator="eenzaam", year=YEAR, age="18+", highlight="GM0363")
    assert report.ok and not report.data_without_boundary and not report.boundaries_without_data
    ax = fig.axes[0]
    drawn = next(c for c in ax.collections if c.get_gid() == "klassen")
    assert len(drawn.get_paths()) >= 342  # a few gemeenten are MultiPolygons (islands)
    assert len(drawn.get_facecolor()) == len(drawn.get_paths())
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list(maps.classify(figures.loc[figures["niveau"] == "gemeente", "waarde"]).labels)
    out = maps.save_figure(fig, tmp_path / "nederland.png")
    assert out.stat().st_size > 50_000

    vs_nl, _ = maps.make_map(figures, boundaries, indicator="eenzaam", year=YEAR, age="18+", vs_nl=True)
    categories = maps.significance_classes(figures[figures["niveau"] == "gemeente"], figures[figures["regiocode"] == "NL01"])
    assert set(categories) <= set(maps.SIGNIFICANCE_CATEGORIES) and np.sum(categories == maps.HIGHER) > 0
    assert maps.save_figure(vs_nl, tmp_path / "vergeleken.png").exists()
