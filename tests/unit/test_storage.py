"""storage.atomic_path: all-or-nothing replacement that survives a crash (file and rename fsynced)."""

from __future__ import annotations

import os
import stat

import pytest
from riskradar import storage


def _recording_fsync(monkeypatch) -> list[tuple[str, int]]:
    """Record what each os.fsync call flushed: ("dir" | "file", inode)."""
    synced: list[tuple[str, int]] = []
    real = os.fsync

    def fsync(fd: int) -> None:
        info = os.fstat(fd)
        synced.append(("dir" if stat.S_ISDIR(info.st_mode) else "file", info.st_ino))
        real(fd)

    monkeypatch.setattr(storage.os, "fsync", fsync)
    return synced


def test_atomic_write_fsyncs_the_file_then_its_directory(tmp_path, monkeypatch):
    synced = _recording_fsync(monkeypatch)
    target = tmp_path / "zone" / "date=2026-08-01" / "part-20260801T0000.json"
    storage.write_bytes_atomic(b"old", target)
    storage.write_bytes_atomic(b"new", target)

    assert target.read_bytes() == b"new"
    assert [p.name for p in target.parent.iterdir()] == [target.name]  # no temp file left behind
    directory, file = target.parent.stat().st_ino, target.stat().st_ino
    # the last write: its temp file (now `target`), then the directory holding the rename
    assert synced[-2:] == [("file", file), ("dir", directory)]


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temp(tmp_path, monkeypatch):
    target = tmp_path / "state.json"
    storage.write_bytes_atomic(b"old", target)
    synced = _recording_fsync(monkeypatch)
    with pytest.raises(RuntimeError), storage.atomic_path(target) as tmp:
        tmp.write_bytes(b"half")
        raise RuntimeError("writer killed")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]
    assert synced == []  # nothing was renamed, nothing to make durable

