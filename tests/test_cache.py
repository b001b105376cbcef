"""The cache: atomic writes, provenance, corrupt files, offline, and two processes at once."""

from __future__ import annotations

import json
import multiprocessing
import os
import time
from pathlib import Path

import pytest

from eenzaamheid_data.cache import Cache, CorruptCacheError, age_text, atomic_write, sha256
from eenzaamheid_data.errors import NotCachedError, SourceUnreachableError


def test_write_then_read_keeps_payload_and_provenance(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    path = cache.path("host", "T1", "data.json")
    cache.write(path, b"[1, 2, 3]", {"table": "T1", "rows": 3})
    entry = cache.read(path)
    assert entry is not None
    assert entry.json() == [1, 2, 3]
    assert entry.meta["table"] == "T1"
    assert entry.meta["sha256"] == sha256(b"[1, 2, 3]")
    assert entry.meta["fetched_at"]
    assert entry.status == "cached"


def test_atomic_write_leaves_no_partial_file_when_interrupted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "file.bin"
    atomic_write(target, b"old content")

    def failing_fsync(fd: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(OSError, match="disk full"):
        atomic_write(target, b"new content that never lands")
    assert target.read_bytes() == b"old content"
    assert [p.name for p in tmp_path.iterdir()] == ["file.bin"]


def test_corrupt_payload_is_detected(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    path = cache.path("x.json")
    cache.write(path, b'{"a": 1}', {})
    path.write_bytes(b'{"a": 2')  # truncated and changed
    with pytest.raises(CorruptCacheError, match="checksum"):
        cache.read(path)


def test_get_or_fetch_refetches_a_corrupt_entry(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    path = cache.path("x.json")
    calls = []

    def fetch() -> tuple[bytes, dict]:
        calls.append(1)
        return b"[42]", {"rows": 1}

    cache.get_or_fetch(path, fetch, what="x")
    path.write_bytes(b"garbage")
    entry = cache.get_or_fetch(path, fetch, what="x")
    assert entry.json() == [42]
    assert len(calls) == 2
    assert cache.read(path).json() == [42]


def test_offline_says_what_is_missing_and_leaves_nothing_behind(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "cache")
    with pytest.raises(NotCachedError, match="offline: table T is needed but it is not in the cache"):
        cache.get_or_fetch(cache.path("sub", "t.json"), lambda: (b"[]", {}), what="table T", offline=True)
    assert not (tmp_path / "cache").exists()  # no folder, no lock file: an offline run only reads


def test_offline_reports_a_corrupt_entry(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    path = cache.path("t.json")
    cache.write(path, b"[]", {})
    path.write_bytes(b"[1]")
    with pytest.raises(NotCachedError, match="corrupt"):
        cache.get_or_fetch(path, lambda: (b"[]", {}), what="table T", offline=True)
    assert path.read_bytes() == b"[1]"  # kept as it was, for a look


def test_refresh_failure_keeps_cached_copy_and_tells_its_age(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    path = cache.path("t.json")
    cache.write(path, b"[1]", {})

    def unreachable() -> tuple[bytes, dict]:
        raise SourceUnreachableError("host did not answer")

    with pytest.raises(SourceUnreachableError) as info:
        cache.get_or_fetch(path, unreachable, what="t", refresh=True)
    assert "cached copy" in str(info.value) and "old" in str(info.value)
    assert cache.read(path).json() == [1]


def test_age_text() -> None:
    assert age_text(None) == "of unknown age"
    assert "days old" in age_text("2020-01-01T00:00:00+00:00")


def _slow_writer(root: str, marker: str) -> None:
    cache = Cache(Path(root))

    def fetch() -> tuple[bytes, dict]:
        with open(marker, "a") as handle:
            handle.write("fetch\n")
        time.sleep(0.5)
        return json.dumps(list(range(10000))).encode(), {"rows": 10000}

    cache.get_or_fetch(cache.path("shared.json"), fetch, what="shared")


def test_two_processes_fetching_at_once_fetch_once_and_leave_a_valid_file(tmp_path: Path) -> None:
    marker = tmp_path / "fetches.log"
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_slow_writer, args=(str(tmp_path / "cache"), str(marker))) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(30)
        assert p.exitcode == 0
    assert marker.read_text().count("fetch") == 1
    entry = Cache(tmp_path / "cache").read(tmp_path / "cache" / "shared.json")
    assert entry.json() == list(range(10000))
    leftovers = [p.name for p in (tmp_path / "cache").iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


def test_a_failed_write_names_the_file_asked_for_and_leaves_nothing(tmp_path: Path) -> None:
    import errno

    from eenzaamheid_data.cache import atomic_path

    target = tmp_path / "kaart.png"
    with pytest.raises(OSError) as err, atomic_path(target):
        raise OSError(errno.ENOSPC, "No space left on device")  # a full disk: the write itself names no file
    assert err.value.errno == errno.ENOSPC and err.value.filename == str(target)
    with pytest.raises(PermissionError) as denied, atomic_path(target) as tmp:
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp))  # not the temporary name either
    assert denied.value.filename == str(target)
    assert list(tmp_path.iterdir()) == []
