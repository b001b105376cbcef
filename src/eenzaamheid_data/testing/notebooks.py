"""Notebook housekeeping: strip outputs before committing, check that it was done, execute with papermill.

The notebooks in ``notebooks/`` are committed without outputs, execution counts or editor noise, so a
diff shows only what a person changed. ``strip`` rewrites them in place (atomically: a temporary file in
the same folder, then ``os.replace``); ``is_stripped`` is what the tests and ``check`` use; ``execute``
runs one notebook with papermill on the ``python3`` kernel of the current interpreter and returns the
executed notebook (it never writes over the input).

Command line::

    python -m eenzaamheid_data.testing.notebooks strip notebooks/*.ipynb
    python -m eenzaamheid_data.testing.notebooks check notebooks/*.ipynb   # exit 1 if one is not stripped
"""

from __future__ import annotations

import argparse
import copy
import json
import logging
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

KERNEL_NAME = "python3"
NBFORMAT_VERSION = 4

# Cell metadata worth keeping: ``tags`` carries papermill's "parameters" tag; the rest is editor noise
# (collapsed, scrolled, ExecuteTime, execution, jupyter, papermill, vscode, …).
_KEEP_CELL_METADATA = ("tags", "slideshow")
# Notebook metadata worth keeping: which kernel and language. Papermill, widget state, editor info go.
_KEEP_NOTEBOOK_METADATA = ("kernelspec", "language_info")
_KEEP_LANGUAGE_INFO = ("name",)
_INLINE_BACKEND = "module://matplotlib_inline.backend_inline"


def _nbformat() -> Any:
    import nbformat  # imported when used: only the notebook tools need it

    return nbformat


# -- stripping -----------------------------------------------------------------------------------------


def stripped(nb: Any) -> Any:
    """A copy of notebook ``nb`` without outputs, execution counts and metadata noise."""
    nb = copy.deepcopy(nb)
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        elif "outputs" in cell:  # only code cells may have them
            del cell["outputs"]
        if "attachments" in cell and not cell["attachments"]:
            del cell["attachments"]  # pasted images in markdown are content; an empty dict is noise
        meta = cell.get("metadata", {})
        cell["metadata"] = type(meta)({k: meta[k] for k in _KEEP_CELL_METADATA if meta.get(k)})
    meta = nb.get("metadata", {})
    kept = type(meta)({k: copy.deepcopy(meta[k]) for k in _KEEP_NOTEBOOK_METADATA if k in meta})
    if "language_info" in kept:
        info = kept["language_info"]
        kept["language_info"] = type(info)({k: info[k] for k in _KEEP_LANGUAGE_INFO if k in info})
    nb["metadata"] = kept
    return nb


def _read(path: Path) -> Any:
    return _nbformat().read(str(path), as_version=NBFORMAT_VERSION)


def _text(nb: Any) -> str:
    text = _nbformat().writes(nb)
    return text if text.endswith("\n") else text + "\n"


def _write_atomically(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def strip(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Strip each notebook in place; return the paths that changed.

    A file is rewritten only when its content changes, and then atomically, so an editor or a crash
    never sees half a notebook.
    """
    changed: list[Path] = []
    for item in paths:
        path = Path(item)
        original = path.read_text(encoding="utf-8")
        nb = _nbformat().reads(original, as_version=NBFORMAT_VERSION)
        text = _text(stripped(nb))
        if text != original:
            _write_atomically(path, text)
            changed.append(path)
    return changed


def problems(path: str | os.PathLike[str]) -> list[str]:
    """What keeps the notebook from being stripped (empty when it is clean)."""
    nb = _read(Path(path))
    found: list[str] = []
    for index, cell in enumerate(nb.cells, start=1):
        if cell.cell_type == "code":
            if cell.get("outputs"):
                found.append(f"cell {index}: has outputs")
            if cell.get("execution_count") is not None:
                found.append(f"cell {index}: has execution count {cell.execution_count}")
        noise = sorted(k for k in cell.get("metadata", {}) if k not in _KEEP_CELL_METADATA)
        if noise:
            found.append(f"cell {index}: metadata {noise}")
    clean = stripped(nb)
    if nb.metadata != clean.metadata:
        extra = sorted(set(nb.metadata) - set(_KEEP_NOTEBOOK_METADATA))
        found.append(f"notebook metadata {extra or ['language_info details']}")
    if nb != clean and not found:
        found.append("differs from its stripped form")
    return found


def is_stripped(path: str | os.PathLike[str]) -> bool:
    """True when the notebook has no outputs, execution counts or metadata noise."""
    nb = _read(Path(path))
    return nb == stripped(nb)


# -- executing -----------------------------------------------------------------------------------------


def kernel_interpreter(name: str = KERNEL_NAME) -> str | None:
    """The interpreter the kernel ``name`` would run, or None when there is no such kernel."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        spec = KernelSpecManager().get_kernel_spec(name)
    except NoSuchKernel:
        return None
    program = spec.argv[0] if spec.argv else ""
    # jupyter_client starts a spec whose argv[0] is "python"/"python3"/"python3.X" with sys.executable.
    version = sys.version_info
    if program in ("python", f"python{version[0]}", f"python{version[0]}.{version[1]}"):
        return sys.executable
    return program


def ensure_kernel(name: str = KERNEL_NAME) -> str:
    """Make sure kernel ``name`` exists and runs this interpreter; install ipykernel's spec if not.

    Installs with ``python -m ipykernel install --sys-prefix`` (into this virtual environment, never
    the user's folders). Returns the interpreter the kernel runs.
    """
    interpreter = kernel_interpreter(name)
    if interpreter is not None and _same_file(interpreter, sys.executable):
        return interpreter
    log.info("installing the %s kernel spec into %s", name, sys.prefix)
    subprocess.run(
        [sys.executable, "-m", "ipykernel", "install", "--sys-prefix", "--name", name],
        check=True, capture_output=True, text=True,
    )
    interpreter = kernel_interpreter(name)
    if interpreter is None or not _same_file(interpreter, sys.executable):
        raise RuntimeError(
            f"kernel {name!r} runs {interpreter!r}, not this interpreter ({sys.executable}); "
            f"a kernel spec outside {sys.prefix} takes precedence — remove it (`jupyter kernelspec list`) "
            "or set JUPYTER_PREFER_ENV_PATH=1"
        )
    return interpreter


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)


@contextmanager
def _environment(changes: Mapping[str, str | None]) -> Iterator[None]:
    """Set (or, with None, remove) environment variables for the kernel papermill starts, then restore."""
    before = {k: os.environ.get(k) for k in changes}
    try:
        for key, value in changes.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        yield
    finally:
        for key, value in before.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def execute(
    path: str | os.PathLike[str],
    parameters: Mapping[str, Any] | None = None,
    cwd: str | os.PathLike[str] | None = None,
    timeout: float = 120,
    *,
    output: str | os.PathLike[str] | None = None,
    env: Mapping[str, str | None] | None = None,
    kernel_name: str = KERNEL_NAME,
) -> Any:
    """Execute the notebook at ``path`` with papermill and return the executed ``NotebookNode``.

    ``parameters`` are injected after the cell tagged ``parameters``; ``cwd`` is the kernel's working
    directory (default: the notebook's folder, as in JupyterLab); ``timeout`` limits each cell (seconds).
    ``output``, when given, is where the executed notebook is written (never the input itself).
    The kernel inherits this process's environment plus ``env``; matplotlib draws inline as in
    JupyterLab unless ``env`` sets ``MPLBACKEND``. Raises ``papermill.PapermillExecutionError`` when a
    cell fails (the error names the cell and the exception).
    """
    import papermill

    source = Path(path).resolve()
    if output is not None and Path(output).resolve() == source:
        raise ValueError(f"refusing to write the executed notebook over its source {source}")
    ensure_kernel(kernel_name)
    changes: dict[str, str | None] = {"MPLBACKEND": _INLINE_BACKEND, "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
    changes.update(env or {})
    with _environment(changes):
        return papermill.execute_notebook(
            str(source),
            str(output) if output is not None else None,
            parameters=dict(parameters or {}),
            cwd=str(cwd if cwd is not None else source.parent),
            kernel_name=kernel_name,
            language="python",
            execution_timeout=timeout,
            progress_bar=False,
            log_output=False,
        )


def cell_errors(nb: Any) -> list[str]:
    """``ename: evalue`` of every error output in an executed notebook."""
    return [
        f"{out.get('ename')}: {out.get('evalue')}"
        for cell in nb.cells if cell.cell_type == "code"
        for out in cell.get("outputs", []) if out.get("output_type") == "error"
    ]


# -- command line ------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m eenzaamheid_data.testing.notebooks",
        description="Strip notebooks before committing, or check that they are stripped.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p_strip = sub.add_parser("strip", help="remove outputs, execution counts and metadata noise, in place")
    p_strip.add_argument("paths", nargs="+", type=Path)
    p_check = sub.add_parser("check", help="exit 1 when a notebook is not stripped (for CI / pre-commit)")
    p_check.add_argument("paths", nargs="+", type=Path)
    args = parser.parse_args(argv)

    missing = [p for p in args.paths if not p.is_file()]
    if missing:
        print(f"error: no such notebook: {', '.join(map(str, missing))}", file=sys.stderr)
        return 2
    try:
        if args.command == "strip":
            changed = strip(args.paths)
            for path in changed:
                print(f"stripped {path}")
            print(f"{len(changed)} of {len(args.paths)} notebooks changed")
            return 0
        dirty = {str(p): problems(p) for p in args.paths}
        dirty = {p: found for p, found in dirty.items() if found}
        for path, found in dirty.items():
            print(f"{path}: " + "; ".join(found[:5]) + (" …" if len(found) > 5 else ""), file=sys.stderr)
        if dirty:
            print("run: python -m eenzaamheid_data.testing.notebooks strip notebooks/*.ipynb", file=sys.stderr)
        return 1 if dirty else 0
    except (json.JSONDecodeError, ValueError) as err:  # nbformat reports a broken file as ValueError
        print(f"error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
