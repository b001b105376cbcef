"""Dutch formatting and settings."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from eenzaamheid_data import fmt
from eenzaamheid_data.config import Settings, default_data_dir, default_reports_dir
from eenzaamheid_data.errors import BadInputError


def test_dutch_numbers() -> None:
    assert fmt.pct(48.6) == "48,6%"
    assert fmt.pct(float("nan")) == "geen gegevens"
    assert fmt.pct(None) == "geen gegevens"
    assert fmt.number(12345.67, 1) == "12.345,7"
    assert fmt.pct_range(45, 48.5) == "45,0–48,5%"
    assert fmt.pct_with_interval(48.6, 46.1, 51.0) == "48,6% (95%-interval 46,1–51,0%)"
    assert fmt.pct_with_interval(48.6, math.nan, 51.0) == "48,6% (interval onbekend)"


@pytest.mark.parametrize("value, text", [(12345, "ongeveer 12.300"), (987, "ongeveer 990"), (54, "ongeveer 50"), (123456, "ongeveer 123.000")])
def test_people_rounded_as_people_say_it(value: float, text: str) -> None:
    assert fmt.people(value) == text


def test_source_line_names_table_year_date_licence_and_demo() -> None:
    line = fmt.source_line({"table": "50150NED", "years": [2022, 2024], "fetched_at": "2026-11-24T08:00:00+00:00", "demo": True}, boundary_year=2024)
    assert "tabel 50150NED" in line and "peiljaren 2022, 2024" in line and "24 november 2026" in line
    assert "CC BY 4.0" in line and "grenzen 2024" in line and line.startswith("FICTIEVE VOORBEELDDATA")


def test_settings_from_env(tmp_path: Path) -> None:
    env = {
        "EENZAAMHEID_RIVM_URL": "http://127.0.0.1:8123/",
        "EENZAAMHEID_CBS_URL": "http://127.0.0.1:8124",
        "EENZAAMHEID_DATA_DIR": str(tmp_path),
    }
    s = Settings.from_env(env)
    assert s.rivm_url == "http://127.0.0.1:8123"
    assert s.cbs_url == "http://127.0.0.1:8124"
    assert s.pdok_url == "https://service.pdok.nl"
    assert s.raw_dir == tmp_path / "raw"


@pytest.mark.parametrize(("key", "value"), [("EENZAAMHEID_TIMEOUT", "0"), ("EENZAAMHEID_TIMEOUT", "-5"), ("EENZAAMHEID_TIMEOUT", "nan"),
                                             ("EENZAAMHEID_TIMEOUT", "inf"), ("EENZAAMHEID_TIMEOUT", "1e12"),
                                             ("EENZAAMHEID_RETRIES", "1.5"), ("EENZAAMHEID_RETRIES", "-1")])
def test_bad_timeout_or_retries_is_bad_input(key: str, value: str) -> None:
    with pytest.raises(BadInputError, match=key):  # a timeout of 0 crashed inside requests before
        Settings.from_env({key: value})
    assert Settings.from_env({"EENZAAMHEID_TIMEOUT": "0.5", "EENZAAMHEID_RETRIES": "0"}).timeout == 0.5


def test_a_data_dir_that_is_a_file_is_bad_input(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(BadInputError, match="is a file"):
        Settings.from_env({"EENZAAMHEID_DATA_DIR": str(tmp_path / "file")})


@pytest.mark.parametrize("url", ["ftp://x", "127.0.0.1:80", "http://host/path/odata"])
def test_bad_endpoint_is_bad_input(url: str) -> None:
    with pytest.raises(BadInputError):
        Settings.from_env({"EENZAAMHEID_RIVM_URL": url})


def test_offline_and_refresh_contradict() -> None:
    with pytest.raises(BadInputError, match="contradict"):
        Settings(offline=True, refresh=True)


def test_default_data_dir_finds_the_checkout(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "data").mkdir()
    (tmp_path / "notebooks").mkdir()
    assert default_data_dir(tmp_path / "notebooks") == tmp_path / "data"


def test_default_reports_dir_is_the_checkouts_wherever_the_notebook_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "reports").mkdir()
    (tmp_path / "notebooks").mkdir()
    assert default_reports_dir(tmp_path / "notebooks") == default_reports_dir(tmp_path) == tmp_path / "reports"
    monkeypatch.chdir(tmp_path / "notebooks")
    assert default_reports_dir() == tmp_path / "reports"  # not ../reports of wherever papermill was started


def test_a_data_dir_with_a_tilde_is_the_home_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert Settings.from_env({"EENZAAMHEID_DATA_DIR": "~/cache"}).data_dir == tmp_path / "cache"  # not ./~/cache
