"""The on-disk cache: immutable raw downloads and derived files, each with a provenance record.

Every entry is two files: the payload and ``<payload>.meta.json`` holding its provenance and the
payload's SHA-256. Writes go to a temporary file in the same folder and are moved into place, so a
crash never leaves half a file. A file lock per entry lets two processes fetch at once safely: the
second waits and then finds the first one's result. A payload whose checksum does not match is
corrupt: it is fetched again (or, offline, reported).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

from filelock import FileLock

from .errors import NotCachedError, SourceUnreachableError

log = logging.getLogger(__name__)

META_SUFFIX = ".meta.json"
LOCK_TIMEOUT_S = 30 * 60

Status = Literal["cached", "fetched"]


@dataclass(frozen=True)
class CacheEntry:
    """A payload read from (or just written to) the cache, with its provenance."""

    path: Path
    payload: bytes
    meta: dict[str, Any]
    status: Status

    def json(self) -> Any:
        return json.loads(self.payload)


class CorruptCacheError(Exception):
    """Internal: a cache file exists but cannot be trusted."""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def utc_now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def _umask() -> int:
    mask = os.umask(0o022)  # reading the umask means setting it; put it straight back
    os.umask(mask)
    return mask


FILE_MODE = 0o666 & ~_umask()
"""The mode ``open()`` would give a new file under this process's umask (mkstemp's temporary files are 0600)."""
FOLDER_MODE = 0o777 & ~_umask()
"""The mode ``mkdir()`` would give a new folder (mkdtemp's are 0700)."""


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary file next to ``path`` for a writer that wants a file name. When the block ends well it gets
    ``FILE_MODE`` and replaces ``path`` in one rename; when it fails it is removed. Nothing is half-written."""
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as err:
        raise _naming(err, path) from err
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    except OSError as err:
        Path(tmp).unlink(missing_ok=True)
        raise _naming(err, path, tmp) from err
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _naming(err: OSError, path: Path, tmp: str | None = None) -> OSError:
    """The error with the file the user asked for as its name: a full disk says which file, not a temporary name
    or none at all."""
    if err.filename is not None and str(err.filename) not in (str(tmp), str(path.parent)) and not str(err.filename).endswith(".tmp"):
        return err
    return type(err)(err.errno, err.strerror, str(path)) if err.errno is not None else err


@contextlib.contextmanager
def atomic_folder(folder: Path) -> Iterator[Path]:
    """A temporary folder beside ``folder`` to fill; when the block ends well it gets ``FOLDER_MODE`` and replaces
    ``folder`` (an older one is set aside, then removed); when it fails it is removed. The folder is all there,
    or as it was before."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}.", suffix=".tmp"))
    try:
        yield tmp
        os.chmod(tmp, FOLDER_MODE)
        if folder.exists():
            old = tmp.with_name(tmp.name + ".old")
            os.replace(folder, old)
            os.replace(tmp, folder)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def write_problem(folder: Path) -> OSError | None:
    """Why no file can be made in ``folder``, or None. Tried for real: permissions, a read-only or
    immutable folder and a full disk all show, where looking at the mode bits would not."""
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as err:
        return err
    return None


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and an atomic rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp, open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def age_text(fetched_at: str | None) -> str:
    """'3 days old (fetched 2026-11-21 08:00 UTC)' for messages about cached copies."""
    if not fetched_at:
        return "of unknown age"
    when = datetime.fromisoformat(fetched_at)
    seconds = (datetime.now(timezone.utc) - when).total_seconds()
    if seconds < 3600:
        age = f"{max(seconds, 0) / 60:.0f} minutes"
    elif seconds < 2 * 86400:
        age = f"{seconds / 3600:.0f} hours"
    else:
        age = f"{seconds / 86400:.0f} days"
    return f"{age} old (fetched {when:%Y-%m-%d %H:%M} UTC)"


class Cache:
    """A folder of cache entries (``data/raw`` or ``data/processed``)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, *parts: str) -> Path:
        return self.root.joinpath(*parts)

    def lock(self, path: Path) -> FileLock:
        path.parent.mkdir(parents=True, exist_ok=True)
        return FileLock(str(path) + ".lock", timeout=LOCK_TIMEOUT_S)

    def read(self, path: Path) -> CacheEntry | None:
        """The entry at ``path``; None when absent; CorruptCacheError when it cannot be trusted."""
        meta_path = Path(str(path) + META_SUFFIX)
        if not path.exists() and not meta_path.exists():
            return None
        try:
            payload = path.read_bytes()
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise CorruptCacheError(f"{path}: {err}") from err
        if meta.get("sha256") != sha256(payload):
            raise CorruptCacheError(f"{path}: checksum does not match its provenance record")
        return CacheEntry(path, payload, meta, "cached")

    def write(self, path: Path, payload: bytes, meta: Mapping[str, Any]) -> CacheEntry:
        record = {**meta, "sha256": sha256(payload), "bytes": len(payload)}
        record.setdefault("fetched_at", utc_now())
        atomic_write(path, payload)
        atomic_write(Path(str(path) + META_SUFFIX), json.dumps(record, indent=2, ensure_ascii=False).encode())
        return CacheEntry(path, payload, record, "fetched")

    def get_or_fetch(
        self,
        path: Path,
        fetch: Callable[[], tuple[bytes, Mapping[str, Any]]],
        *,
        what: str,
        offline: bool = False,
        refresh: bool = False,
        is_current: Callable[[Mapping[str, Any]], bool] | None = None,
    ) -> CacheEntry:
        """The cached entry, or a fresh one from ``fetch()`` stored atomically under a lock.

        ``is_current`` lets derived entries declare themselves stale (their inputs changed).
        """
        # Offline only reads: no lock file, no folders (a file is replaced in one rename, so a reader never sees
        # half of one); nothing is left behind by a run that may not fetch.
        with contextlib.nullcontext() if offline else self.lock(path):
            cached: CacheEntry | None = None
            problem = ""
            try:
                cached = self.read(path)
            except CorruptCacheError as err:
                problem = f"the cached copy is corrupt ({err})"
                if not offline:
                    log.warning("%s: %s; fetching it again", what, problem)
            usable = cached is not None and (is_current is None or is_current(cached.meta))
            if usable and not refresh:
                return cached  # type: ignore[return-value]
            if offline:
                reason = problem or ("the cached copy is out of date" if cached else "it is not in the cache")
                raise NotCachedError(
                    f"offline: {what} is needed but {reason} ({path})",
                    hint="run the same command once without --offline on a machine with network",
                )
            try:
                payload, meta = fetch()
            except SourceUnreachableError as err:
                if cached is not None:
                    err.hint = (
                        f"a cached copy {age_text(cached.meta.get('fetched_at'))} is kept; "
                        "run without --refresh to use it"
                    )
                raise
            return self.write(path, payload, meta)
