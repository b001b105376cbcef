"""The notebooks: committed without outputs, and each runs end to end — on the demo world, and on
CBS- and PDOK-shaped replicas that are not the demo (with ``demo = False``) — within a minute.

The execution tests carry the ``notebooks`` marker: deselect them with ``-m "not notebooks"``.
Executed notebooks are written to ``tmp_path``, never over the committed files.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import nbformat
import pytest

from eenzaamheid_data.testing import notebooks
from eenzaamheid_data.testing.odata_replica import ODataReplica

from .conftest import world_tables

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
EXPECTED = ["01_ophalen_en_schonen", "02_kaarten", "03_leeftijdsgroepen", "04_gemeenteprofiel"]
COMMITTED = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
MAX_SECONDS = 60.0
NOWHERE = "http://127.0.0.1:9"  # nothing listens there: a notebook that reaches past its replica fails


def _outputs_text(nb: nbformat.NotebookNode) -> str:
    parts: list[str] = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                parts.append(out.get("text", ""))
            for mime in ("text/plain", "text/html", "text/markdown"):
                value = out.get("data", {}).get(mime)
                if value:
                    parts.append(value if isinstance(value, str) else "".join(value))
    return "\n".join(parts)


def _images(nb: nbformat.NotebookNode) -> int:
    return sum("image/png" in out.get("data", {}) for cell in nb.cells for out in cell.get("outputs", []))


def _report(capsys: pytest.CaptureFixture[str], line: str) -> None:
    """Show a timing in the test run's output, even with output capture on."""
    with capsys.disabled():
        print(f"\n{line}", end=" ")


# -- committed state -----------------------------------------------------------------------------------


def test_the_four_notebooks_are_there() -> None:
    assert [p.stem for p in COMMITTED] == EXPECTED


@pytest.mark.parametrize("path", COMMITTED, ids=lambda p: p.stem)
def test_committed_notebook_is_stripped(path: Path) -> None:
    found = notebooks.problems(path)
    assert not found, (
        f"{path.name} is committed with outputs or editor noise: {found[:5]}; "
        "run `python -m eenzaamheid_data.testing.notebooks strip notebooks/*.ipynb` (or `make strip-notebooks`)"
    )
    assert notebooks.is_stripped(path)


@pytest.mark.parametrize("path", COMMITTED, ids=lambda p: p.stem)
def test_first_code_cell_holds_the_parameters(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    first = next(cell for cell in nb.cells if cell.cell_type == "code")
    assert "parameters" in first.metadata.get("tags", []), "papermill injects parameters after this tag"
    assert "demo = True" in first.source, "every notebook runs on the demo data by default"


def test_notebook_04_has_the_documented_parameters() -> None:
    nb = nbformat.read(NOTEBOOK_DIR / "04_gemeenteprofiel.ipynb", as_version=4)
    first = next(cell for cell in nb.cells if cell.cell_type == "code").source
    for line in ('gemeente = "Voorbeeldstad"', "jaar = None", "demo = True", "output_dir = None"):
        assert line in first


# -- the tools themselves ---------------------------------------------------------------------------------


def _dirty_notebook(path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("demo = True", execution_count=3)
    params.metadata = {"tags": ["parameters"], "collapsed": False, "ExecuteTime": {"end_time": "x"}}
    params.outputs = [nbformat.v4.new_output("stream", name="stdout", text="hallo\n")]
    plot = nbformat.v4.new_code_cell("1 + 1", execution_count=4)
    plot.outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": "2"}, execution_count=4)]
    nb.cells = [nbformat.v4.new_markdown_cell("# Titel"), params, plot]
    nb.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python", "version": "3.11.9", "mimetype": "text/x-python"},
        "papermill": {"duration": 1.5},
        "widgets": {},
    }
    nbformat.write(nb, path)


def test_strip_removes_outputs_and_noise_and_keeps_the_parameters_tag(tmp_path: Path) -> None:
    path = tmp_path / "vuil.ipynb"
    _dirty_notebook(path)
    assert not notebooks.is_stripped(path)
    assert notebooks.problems(path)

    assert notebooks.strip([path]) == [path]
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    assert code[0].metadata == {"tags": ["parameters"]}
    assert set(nb.metadata) == {"kernelspec", "language_info"}
    assert nb.metadata["language_info"] == {"name": "python"}
    assert [c.source for c in nb.cells] == ["# Titel", "demo = True", "1 + 1"]
    assert notebooks.is_stripped(path) and notebooks.problems(path) == []
    nbformat.validate(nb)

    before = path.stat().st_mtime_ns
    assert notebooks.strip([path]) == []  # already clean: not rewritten
    assert path.stat().st_mtime_ns == before
    assert [p.name for p in tmp_path.iterdir()] == ["vuil.ipynb"]  # no temporary file left behind


def test_command_line_check_and_strip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "vuil.ipynb"
    _dirty_notebook(path)
    assert notebooks.main(["check", str(path)]) == 1
    assert "has outputs" in capsys.readouterr().err
    assert notebooks.main(["strip", str(path)]) == 0
    assert "1 of 1 notebooks changed" in capsys.readouterr().out
    assert notebooks.main(["check", str(path)]) == 0
    assert notebooks.main(["check", str(tmp_path / "weg.ipynb")]) == 2


def test_execute_refuses_to_overwrite_its_source(tmp_path: Path) -> None:
    path = tmp_path / "n.ipynb"
    _dirty_notebook(path)
    with pytest.raises(ValueError, match="refusing"):
        notebooks.execute(path, {}, tmp_path, output=path)


# -- execution -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def kernel() -> str:
    """The python3 kernel of this interpreter (installed into the venv if missing)."""
    return notebooks.ensure_kernel()


def _run(
    request: pytest.FixtureRequest, capsys: pytest.CaptureFixture[str], name: str, parameters: dict, tmp_path: Path, label: str
) -> nbformat.NotebookNode:
    started = time.perf_counter()
    nb = notebooks.execute(
        NOTEBOOK_DIR / f"{name}.ipynb", parameters, cwd=NOTEBOOK_DIR, timeout=120,
        output=tmp_path / f"{name}.executed.ipynb",
    )
    seconds = time.perf_counter() - started
    request.node.user_properties.append(("seconds", round(seconds, 1)))
    _report(capsys, f"notebook {name} ({label}): {seconds:.1f} s")
    assert not notebooks.cell_errors(nb)
    assert seconds <= MAX_SECONDS, f"{name} took {seconds:.1f} s on {label}; the limit is {MAX_SECONDS:.0f} s"
    return nb


@pytest.mark.notebooks
@pytest.mark.parametrize("name", EXPECTED)
def test_notebook_runs_on_the_demo_data(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest,
    capsys: pytest.CaptureFixture[str], kernel: str,
) -> None:
    for var in ("EENZAAMHEID_RIVM_URL", "EENZAAMHEID_CBS_URL", "EENZAAMHEID_PDOK_URL"):
        monkeypatch.setenv(var, NOWHERE)  # the demo replaces every endpoint; nothing may reach past it
    monkeypatch.setenv("EENZAAMHEID_DATA_DIR", str(tmp_path / "data"))
    parameters: dict[str, object] = {"demo": True}
    if name.startswith("04"):
        parameters["output_dir"] = str(tmp_path / "reports")

    nb = _run(request, capsys, name, parameters, tmp_path, "demo")

    text = _outputs_text(nb)
    assert "fictieve voorbeelddata" in text.lower(), "demo output must say it is invented"
    assert (tmp_path / f"{name}.executed.ipynb").is_file()
    assert notebooks.is_stripped(NOTEBOOK_DIR / f"{name}.ipynb"), "execution must not touch the committed file"
    if not name.startswith("01"):
        assert _images(nb) >= 1, "the figures should be drawn inline"
    if name.startswith(("03", "04")):  # a chart of one year names that year in its source line, as in the report
        assert "tabel 50150NED; peiljaar 2024;" in text
    if name.startswith("04"):
        produced = [p for p in (tmp_path / "reports").rglob("*.html")]
        assert produced, "generate_report wrote no HTML report"
    # the demo's throw-away cache is gone once the notebook closed its ExitStack
    assert not any((tmp_path / "data" / "demo").glob("run-*"))


@pytest.mark.notebooks
def test_notebook_01_runs_on_a_cbs_shaped_replica_that_is_not_the_demo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest,
    capsys: pytest.CaptureFixture[str], kernel: str,
) -> None:
    data_dir = tmp_path / "data"
    with ODataReplica(world_tables()) as server:
        # papermill starts the kernel with this process's environment
        monkeypatch.setenv("EENZAAMHEID_RIVM_URL", server.url)
        monkeypatch.setenv("EENZAAMHEID_CBS_URL", server.url)
        monkeypatch.setenv("EENZAAMHEID_PDOK_URL", NOWHERE)
        monkeypatch.setenv("EENZAAMHEID_DATA_DIR", str(data_dir))
        nb = _run(request, capsys, "01_ophalen_en_schonen", {"demo": False, "gemeente": "Amsterdam"}, tmp_path, "CBS-shaped replica")

    text = _outputs_text(nb)
    assert "fictieve voorbeelddata" not in text.lower()
    assert "Amsterdam" in text
    assert "Bergen (NH.) (GM0373)" in text and "Bergen (L.) (GM0893)" in text  # the ambiguous-name example
    assert "50150NED" in text
    # the kernel used the data folder from the environment: the downloads and their provenance are there
    metas = list((data_dir / "raw").rglob("*.meta.json"))
    assert metas, f"nothing cached under {data_dir}"
    assert any(json.loads(p.read_text(encoding="utf-8")).get("table") == "50150NED" for p in metas)


def _world_boundaries(year: int = 2024) -> dict[tuple[str, int], dict]:
    """PDOK-shaped layers for the conftest world: gemeenten, wijken, buurten, provincies, GGD-regio's."""
    from shapely.ops import unary_union

    from eenzaamheid_data.testing.geometry import NETHERLANDS_BBOX, layers_from_polygons, tessellate

    from .conftest import GEMEENTEN, REGIONS

    tree: dict[str, dict[str, list[str]]] = {code: {} for code, *_ in GEMEENTEN}
    for region in REGIONS:
        if region.code.startswith("WK"):
            tree[region.gemeentecode][region.code] = []
        elif region.code.startswith("BU"):
            tree[region.gemeentecode]["WK" + region.code[2:8]].append(region.code)
    polygons = tessellate(tree, NETHERLANDS_BBOX)
    names = {region.code: region.name for region in REGIONS}
    for code, _, pv, pv_name, gg, gg_name in GEMEENTEN:
        names[pv], names[gg] = pv_name, gg_name
    for column in (2, 4):
        for group in {row[column] for row in GEMEENTEN}:
            polygons[group] = unary_union([polygons[row[0]] for row in GEMEENTEN if row[column] == group])
    return layers_from_polygons(polygons, names, year)


@pytest.mark.notebooks
@pytest.mark.parametrize("name", EXPECTED[1:])
def test_notebook_runs_on_cbs_and_pdok_shaped_replicas_that_are_not_the_demo(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest,
    capsys: pytest.CaptureFixture[str], kernel: str,
) -> None:
    from eenzaamheid_data.testing.pdok_replica import PDOKReplica

    with ODataReplica(world_tables()) as server, PDOKReplica(_world_boundaries()) as pdok:
        monkeypatch.setenv("EENZAAMHEID_RIVM_URL", server.url)
        monkeypatch.setenv("EENZAAMHEID_CBS_URL", server.url)
        monkeypatch.setenv("EENZAAMHEID_PDOK_URL", pdok.url)
        monkeypatch.setenv("EENZAAMHEID_DATA_DIR", str(tmp_path / "data"))
        parameters = {"demo": False, "gemeente": "Den Haag"}
        if name == "04_gemeenteprofiel":
            parameters["output_dir"] = str(tmp_path / "reports")
        nb = _run(request, capsys, name, parameters, tmp_path, "CBS/PDOK-shaped replicas")

    text = _outputs_text(nb)
    assert "fictieve voorbeelddata" not in text.lower()
    assert "'s-Gravenhage" in text
    if name == "04_gemeenteprofiel":
        assert list((tmp_path / "reports").rglob("GM0518-*.html"))
