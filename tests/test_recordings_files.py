"""The recordings folder: names, a file Asterisk has closed, files the dialplan made alone."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from acd import recordings
from tests.lab import tones


def closed_wav(path: Path, seconds: float) -> Path:
    return tones.write_tone(path, 440, seconds)  # 8 kHz 16-bit, as MixMonitor writes


def test_a_closed_file_is_measured_and_checksummed(tmp_path):
    facts = recordings.finished(closed_wav(tmp_path / "a.wav", 1.5))
    assert (facts.duration_s, facts.size) == (1.5, 44 + 24000) and len(facts.sha256) == 64


def test_a_file_still_being_written_is_not_finished(tmp_path):
    """MixMonitor's WAV header says 0 bytes until Asterisk closes the file."""
    path = closed_wav(tmp_path / "a.wav", 1.0)
    raw = bytearray(path.read_bytes())
    raw[4:8] = raw[40:44] = struct.pack("<I", 0)
    path.write_bytes(bytes(raw))
    assert recordings.finished(path) is None
    assert recordings.finished(path, closed=False).duration_s == 1.0  # the PBX died: measure anyway
    assert recordings.finished(tmp_path / "missing.wav") is None
    (tmp_path / "junk.wav").write_bytes(b"not a wav")
    assert recordings.finished(tmp_path / "junk.wav") is None


def test_take_paths_are_dated_and_safe():
    path = recordings.take_path("acd-1796.1", "1001", "../../x", 0.0)
    assert path == "1970/01/01/acd-1796.1_1001_..-..-x.wav"


def test_paths_cannot_leave_the_folder(tmp_path):
    assert recordings.inside(tmp_path, "2026/a.wav") == tmp_path / "2026" / "a.wav"
    with pytest.raises(ValueError):
        recordings.inside(tmp_path, "../etc/passwd")


def test_orphans_are_read_back_from_their_names(tmp_path):
    folder = tmp_path / recordings.UNINDEXED
    folder.mkdir()
    closed_wav(folder / "acd-17.0_support-2_1001_acd-17.1.wav", 0.1)
    closed_wav(folder / "acd-18.0_a_b_c_1002_acd-18.1.wav", 0.1)  # a line name with underscores
    (folder / "stray.wav").write_bytes(b"")
    first, second = recordings.orphans(tmp_path)
    assert (first.linkedid, first.line, first.phone, first.uniqueid) == (
        "acd-17.0",
        "support-2",
        "1001",
        "acd-17.1",
    )
    assert first.path == "unindexed/acd-17.0_support-2_1001_acd-17.1.wav"
    assert second.line == "a_b_c"
