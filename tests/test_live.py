"""Checks against the REAL services (dataderden.cbs.nl, opendata.cbs.nl, service.pdok.nl).

Marked ``live``: skipped by ``make test`` (``-m 'not live'``); run with ``make test-live`` on a machine
with internet, or in a scheduled CI job, to learn of a change in the sources before the users do.
They use a throw-away cache, so they always ask the services themselves.
"""

from __future__ import annotations

import os
import socket

import pytest

from eenzaamheid_data import checks, rivm
from eenzaamheid_data.config import DEFAULT_CBS_URL, DEFAULT_PDOK_URL, DEFAULT_RIVM_URL, Settings

pytestmark = pytest.mark.live


def _reachable(url: str) -> bool:
    host = url.split("://", 1)[1]
    try:
        socket.create_connection((host, 443), timeout=5).close()
        return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    for url in (DEFAULT_RIVM_URL, DEFAULT_CBS_URL, DEFAULT_PDOK_URL):
        if not _reachable(url):
            if os.environ.get("EENZAAMHEID_LIVE") == "required":  # `make test-live`: a check not done is no pass
                pytest.fail(f"{url} cannot be reached from here (no network): the live check was NOT done")
            pytest.skip(f"{url} cannot be reached from here (no network)")
    return Settings(data_dir=tmp_path_factory.mktemp("live") / "data", retries=2)


@pytest.mark.parametrize("table", sorted(rivm.KNOWN_TABLES))
def test_rivm_table_metadata_still_matches(live: Settings, table: str) -> None:
    found = checks.check_sources(live, rivm_tables=[table], boundary_levels=())
    problems = [c for c in found if c.status != "ok"]
    assert not problems, checks.format_checks(problems)


def test_boundary_layers_answer_for_the_classification_years(live: Settings) -> None:
    found = checks.check_sources(live, rivm_tables=[rivm.DEFAULT_TABLE])
    problems = [c for c in found if c.status != "ok" and c.source == "PDOK"]
    assert not problems, checks.format_checks(problems)


def test_one_gemeente_fetches_and_validates(live: Settings) -> None:
    tidy = rivm.load_figures(live, level="wijk", gemeente="Utrecht")
    assert set(tidy["niveau"]) == {"wijk"} and (tidy["gemeentecode"] == "GM0344").all()
    assert tidy["waarde"].between(0, 100).all() or tidy["waarde"].isna().any()


@pytest.mark.parametrize("indicator, published", [("eenzaam", 49), ("sterk_eenzaam", 14), ("emotioneel_eenzaam", 30), ("sociaal_eenzaam", 35)])
def test_published_national_figures_2022_are_reproduced(live: Settings, indicator: str, published: float) -> None:
    """The sanity figures of data-sources.md: Nederland, 18+, 2022 (rounded there to whole percents)."""
    tidy = rivm.load_figures(live, level="gemeente", years=[2022])
    row = tidy[(tidy["niveau"] == "nederland") & (tidy["leeftijd"] == "18+") & (tidy["indicator"] == indicator)]
    assert abs(float(row["waarde"].iloc[0]) - published) <= 1.5
    assert 30 <= tidy.loc[(tidy["niveau"] == "gemeente") & (tidy["indicator"] == "eenzaam"), "waarde"].median() <= 60
