"""The command line as a user runs it: a real process, real HTTP to the replica, exit codes, no tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from eenzaamheid_data.cache import FILE_MODE
from eenzaamheid_data.testing.odata_replica import ODataReplica

from .conftest import world_tables


def run(args: list[str], env_extra: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, **env_extra, "PYTHONWARNINGS": "ignore"}
    return subprocess.run([sys.executable, "-m", "eenzaamheid_data", *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120)


@pytest.fixture()
def env(replica: ODataReplica, tmp_path: Path) -> dict[str, str]:
    return {
        "EENZAAMHEID_RIVM_URL": replica.url,
        "EENZAAMHEID_CBS_URL": replica.url,
        "EENZAAMHEID_PDOK_URL": "http://127.0.0.1:9",  # nothing listens there: never the real PDOK
        "EENZAAMHEID_DATA_DIR": str(tmp_path / "data"),
    }


def test_fetch_writes_the_tidy_csv_and_a_summary(env: dict[str, str], tmp_path: Path) -> None:
    result = run(["fetch", "--output", "out.csv"], env, tmp_path)
    assert result.returncode == 0, result.stderr
    table = pd.read_csv(tmp_path / "out.csv", dtype={"regiocode": str})
    assert list(table.columns) == ["regiocode", "regionaam", "niveau", "gemeentecode", "jaar", "leeftijd", "leeftijdsgroep", "indicator",
                                   "waarde", "ondergrens", "bovengrens", "tabel"]
    assert table["regiocode"].nunique() == 6
    assert "50150NED (indeling 2024)" in result.stderr.splitlines()[-1]
    raw = (tmp_path / "out.csv").read_text(encoding="utf-8")
    assert "," in raw.splitlines()[1] and not any(";" in line for line in raw.splitlines()[:3])
    assert (tmp_path / "out.csv").stat().st_mode & 0o777 == FILE_MODE  # like any new file, not mkstemp's 0600
    meta = json.loads((tmp_path / "out.csv-metadata.json").read_text(encoding="utf-8"))  # the source beside the table (CSVW)
    assert meta["url"] == "out.csv" and meta["dc:license"].endswith("/by/4.0/") and "tabel 50150NED" in meta["dc:source"]
    assert meta["dc:created"] and "dc:description" not in meta  # not demo data
    # the format is described: dialect, and every column with its type, its meaning and "empty is missing"
    assert meta["dialect"]["delimiter"] == "," and meta["dialect"]["encoding"] == "utf-8"
    columns = meta["tableSchema"]["columns"]
    assert [c["name"] for c in columns] == list(table.columns) and all(c["null"] == "" and c.get("dc:description") for c in columns)
    assert {c["name"]: c["datatype"] for c in columns}["waarde"] == "number"
    described = {c["name"]: c["dc:description"] for c in columns}
    assert all(level in described["niveau"] for level in table["niveau"].unique())  # the values that occur


def test_an_exported_table_says_which_ages_each_row_covers_and_keeps_its_licence(tmp_path: Path) -> None:
    env = {"EENZAAMHEID_DATA_DIR": str(tmp_path / "data")}
    result = run(["fetch", "--demo", "--year", "2012", "--year", "2024", "-o", "j.csv"], env, tmp_path)
    assert result.returncode == 0, result.stderr
    table = pd.read_csv(tmp_path / "j.csv", dtype={"regiocode": str}, keep_default_na=False)
    groups = table.groupby(["jaar", "leeftijd"])["leeftijdsgroep"].unique().map(list).to_dict()
    assert groups[(2012, "18+")] == ["19 jaar en ouder"] and groups[(2012, "18-64")] == ["19 tot 65 jaar"]  # 2012 counted from 19
    assert groups[(2024, "18+")] == ["18 jaar en ouder"] and groups[(2024, "65+")] == ["65 jaar en ouder"]
    assert (table["waarde"] == "").any() and not (table["waarde"] == "0").any()  # missing stays empty, never 0
    result = run(["fetch", "--demo", "--offline", "-o", "j.parquet"], env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "note: --offline and --refresh have no effect with --demo" in result.stderr  # not silently ignored
    assert pd.read_parquet(tmp_path / "j.parquet").attrs["licence"].endswith("/by/4.0/")


def test_fetch_parquet_and_wijk_level(env: dict[str, str], tmp_path: Path) -> None:
    result = run(["fetch", "--level", "wijk", "--gemeente", "Den Haag", "-o", "w.parquet"], env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert set(pd.read_parquet(tmp_path / "w.parquet")["niveau"]) == {"wijk"}


@pytest.mark.parametrize(
    "args, message",
    [
        (["fetch", "--level", "wijk", "--gemeente", "Amsterdm"], "did you mean: Amsterdam (GM0363)"),
        (["fetch", "--level", "wijk", "--gemeente", "Bergen"], "Bergen (NH.) (GM0373)"),
        (["fetch", "--table", "12345NED"], "no table '12345NED'"),
        (["fetch", "--year", "2019"], "no survey year 2019"),
        (["fetch", "--level", "provincie"], "invalid choice"),
        (["fetch", "--output", "out.xlsx"], "use a name ending in .csv or .parquet"),
        (["fetch", "--output", "a-file/out.csv"], "a-file is a file, not a folder"),
        (["fetch", "--output", "nowhere/out.csv"], "folder nowhere does not exist"),
        (["fetch", "--offline", "--refresh"], "contradict"),
    ],
)
def test_bad_input_exits_2_with_a_message_and_no_traceback(env: dict[str, str], tmp_path: Path, args: list[str], message: str) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    result = run(args, env, tmp_path)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out.xlsx").exists()
    assert (tmp_path / "a-file").read_text() == "not a folder"


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs a folder nobody can create files in (Linux /proc)")
def test_a_folder_that_cannot_be_written_is_bad_input_before_the_fetch(env: dict[str, str], tmp_path: Path) -> None:
    result = run(["fetch", "-o", "/proc/eenzaamheid.csv"], env, tmp_path)
    assert result.returncode == 2
    assert "error: cannot write in folder /proc" in result.stderr and "Traceback" not in result.stderr
    assert "fetching" not in result.stderr  # refused before any download


def test_unreachable_source_exits_1_and_then_works_from_the_cache(env: dict[str, str], tmp_path: Path) -> None:
    dead = {**env, "EENZAAMHEID_RIVM_URL": "http://127.0.0.1:9", "EENZAAMHEID_CBS_URL": "http://127.0.0.1:9", "EENZAAMHEID_RETRIES": "1"}
    result = run(["fetch", "-o", "a.csv"], dead, tmp_path)
    assert result.returncode == 1
    assert "did not answer" in result.stderr and "Traceback" not in result.stderr
    error = next(line for line in result.stderr.splitlines() if line.startswith("error: "))
    assert "after 2 attempts" in error and "Connection refused)" in error and "object at 0x" not in error  # the cause, whole
    assert not (tmp_path / "a.csv").exists()

    with ODataReplica(world_tables()) as server:  # a source that goes away later
        up = {**env, "EENZAAMHEID_RIVM_URL": server.url, "EENZAAMHEID_CBS_URL": server.url, "EENZAAMHEID_RETRIES": "1"}
        assert run(["fetch", "-o", "a.csv"], up, tmp_path).returncode == 0
    offline = run(["fetch", "--offline", "-o", "b.csv"], up, tmp_path)
    assert offline.returncode == 0, offline.stderr
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    again = run(["fetch", "-o", "c.csv"], up, tmp_path)  # not offline, but all of it is cached
    assert again.returncode == 0, again.stderr
    refresh = run(["fetch", "--refresh", "-o", "d.csv"], up, tmp_path)
    assert refresh.returncode == 1 and "Traceback" not in refresh.stderr
    assert "a cached copy" in refresh.stderr and "minutes old (fetched " in refresh.stderr
    assert not (tmp_path / "d.csv").exists()


def test_bad_environment_values_are_bad_input(env: dict[str, str], tmp_path: Path) -> None:
    for extra, message in (({"EENZAAMHEID_RETRIES": "many"}, "EENZAAMHEID_RETRIES"), ({"EENZAAMHEID_CBS_URL": "opendata.cbs.nl"}, "not a base URL")):
        result = run(["fetch"], {**env, **extra}, tmp_path)
        assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr


def test_a_run_from_the_cache_does_without_the_http_stack(env: dict[str, str], tmp_path: Path) -> None:
    """Start-up time: requests and cbsodata are imported only when something has to be fetched."""
    assert run(["fetch", "-o", "a.csv"], env, tmp_path).returncode == 0
    code = ("import sys; from eenzaamheid_data.cli import main; rc = main(['fetch', '--offline', '-o', 'b.csv']); "
            "print(rc, sorted(m for m in ('requests', 'cbsodata', 'urllib3', 'rapidfuzz') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], env={**os.environ, **env, "PYTHONWARNINGS": "ignore"}, cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert result.stdout.splitlines()[-1] == "0 []", result.stderr
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_offline_with_empty_cache_says_what_it_lacks(env: dict[str, str], tmp_path: Path) -> None:
    result = run(["fetch", "--offline"], env, tmp_path)
    assert result.returncode == 1
    assert "offline:" in result.stderr and "not in the cache" in result.stderr


def test_corrupt_cache_file_is_refetched_and_the_cache_stays_valid(env: dict[str, str], tmp_path: Path) -> None:
    assert run(["fetch", "-o", "a.csv"], env, tmp_path).returncode == 0
    for f in (tmp_path / "data" / "raw").rglob("*.json"):
        if not f.name.endswith(".meta.json"):
            f.write_text("{corrupt")
    result = run(["fetch", "-o", "b.csv"], env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "corrupt" in result.stderr
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    offline = run(["fetch", "--offline", "-o", "c.csv"], env, tmp_path)
    assert offline.returncode == 0


def test_gemeenten_lists_provincie_and_ggd(env: dict[str, str], tmp_path: Path) -> None:
    result = run(["gemeenten", "--search", "berg"], env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "GM0373" in result.stdout and "GGD Hollands Noorden" in result.stdout and "Limburg" in result.stdout
    assert "GM0363" not in result.stdout
    close = run(["gemeenten", "--search", "amsterdm"], env, tmp_path)  # a failed search, with the near misses
    assert close.returncode == 2 and close.stdout == ""
    assert close.stderr.startswith("error: no gemeente name or code contains 'amsterdm'\nhint: did you mean: Amsterdam (GM0363)")
    assert "Traceback" not in close.stderr
    none = run(["gemeenten", "--search", "xqzxqz"], env, tmp_path)
    assert none.returncode == 2 and none.stderr.startswith("error: no gemeente name or code contains 'xqzxqz'") and "--search berg" in none.stderr


def test_check_sources_against_the_replica(env: dict[str, str], tmp_path: Path) -> None:
    result = run(["check-sources", "--table", "50150NED"], env, tmp_path)
    lines = result.stdout.splitlines()
    rivm_line = next(line for line in lines if line.startswith("RIVM"))
    # the replica holds 5 gemeenten, not the 342 of indeling 2024: reported as a change
    assert "CHANGED" in rivm_line and "5 gemeenten in the region dimension, expected 342" in rivm_line
    assert any("Gebieden in Nederland 2024" in line and " ok " in line for line in lines)
    assert any(line.startswith("PDOK") and "FAILED" in line for line in lines)  # no PDOK server given
    assert result.returncode == 1


def test_check_sources_without_network_shows_every_check_as_failed(tmp_path: Path) -> None:
    nowhere = "http://eenzaamheid-test.invalid"  # never resolves: as on a machine without network
    env = {"EENZAAMHEID_RIVM_URL": nowhere, "EENZAAMHEID_CBS_URL": nowhere, "EENZAAMHEID_PDOK_URL": nowhere,
           "EENZAAMHEID_DATA_DIR": str(tmp_path / "data")}
    result = run(["check-sources", "--table", "50150NED"], env, tmp_path)
    rows = [line.split()[0] for line in result.stdout.splitlines()[1:]]
    # the CBS and PDOK checks are not left out because the RIVM table gave no classification year
    assert rows == ["RIVM"] + ["CBS"] * 3 + ["PDOK"] * 5, result.stdout
    assert "FAILED" in result.stdout and "run `eenzaamheid check-sources`" not in result.stdout and result.returncode == 1


def test_check_sources_with_a_table_id_typed_wrong_is_bad_input(env: dict[str, str], tmp_path: Path) -> None:
    result = run(["check-sources", "--table", "50105NED"], env, tmp_path)
    assert result.returncode == 2, result.stderr  # not "CHANGED" (exit 1): the source did not change, the id is wrong
    assert "50105NED" in result.stderr and "Traceback" not in result.stderr and "CHANGED" not in result.stdout


def test_version(env: dict[str, str], tmp_path: Path) -> None:
    from eenzaamheid_data import __version__

    result = run(["--version"], env, tmp_path)
    assert result.returncode == 0 and result.stdout.strip() == f"eenzaamheid {__version__}"


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs a folder nobody can create files in (Linux /proc)")
def test_a_data_folder_that_cannot_be_written_names_the_setting(env: dict[str, str], tmp_path: Path) -> None:
    result = run(["fetch", "--demo", "-o", "x.csv"], {**env, "EENZAAMHEID_DATA_DIR": "/proc/eenzaamheid-data"}, tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "hint: the data folder /proc/eenzaamheid-data cannot be written; set EENZAAMHEID_DATA_DIR" in result.stderr
