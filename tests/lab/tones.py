"""Tones for audio-truth tests: write a sine as an 8 kHz WAV, and tell how loud a tone is in
a WAV a phone or the PBX recorded.

A tone counts as heard only when it is sustained and narrow: present in a run of windows
(not a click) and well above the spectrum just beside it (not music or speech), so hold
music or a spoken prompt in the same file cannot pass for a party's tone.
"""

from __future__ import annotations

import math
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

RATE = 8000
WINDOW_S = 0.5
HOP_S = 0.25
BAND_HZ = 15  # the tone's own bins: +-15 Hz
SIDE_HZ = (60, 200)  # the neighbourhood it must stand out from
PRESENT_DBFS = -45.0  # the level a heard tone reaches (asterisk-lab.md: absent reads -60 or less)
STANDS_OUT_DB = 15.0
SUSTAINED_S = 1.0


def write_tone(path: Path, frequency: float, seconds: float = 120.0, volume: float = 0.3) -> Path:
    """A 16-bit mono sine; frequency 0 writes silence."""
    t = np.arange(int(seconds * RATE)) / RATE
    samples = volume * 32767 * np.sin(2 * math.pi * frequency * t) if frequency else 0 * t
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(samples.astype("<i2").tobytes())
    return path


def read_samples(path: Path) -> tuple[np.ndarray, int]:
    """Mono float samples (full scale 1.0) and the rate; the first channel of a stereo file."""
    with wave.open(str(path), "rb") as source:
        rate, channels, width = source.getframerate(), source.getnchannels(), source.getsampwidth()
        raw = source.readframes(source.getnframes())
    if width != 2:
        raise ValueError(f"{path}: {8 * width}-bit audio; expected 16-bit")
    samples = np.frombuffer(raw, dtype="<i2").astype(float) / 32768.0
    return samples[::channels], rate


@dataclass(frozen=True)
class Level:
    """How one tone fared in one file."""

    frequency: float
    peak_dbfs: float  # the loudest window's level of the tone
    heard_s: float  # the longest run of windows where it was clearly present

    @property
    def heard(self) -> bool:
        return self.heard_s >= SUSTAINED_S

    def __str__(self) -> str:
        return (
            f"{self.frequency:.0f} Hz {'PRESENT' if self.heard else 'absent'} "
            f"(peak {self.peak_dbfs:.1f} dBFS, {self.heard_s:.1f} s)"
        )


def levels(path: Path, frequencies: list[float]) -> dict[float, Level]:
    samples, rate = read_samples(path)
    size, hop = int(WINDOW_S * rate), int(HOP_S * rate)
    if len(samples) < size:
        return {f: Level(f, -200.0, 0.0) for f in frequencies}
    window = np.hanning(size)
    starts = range(0, len(samples) - size + 1, hop)
    spectra = np.array([np.abs(np.fft.rfft(samples[s : s + size] * window)) for s in starts])
    spectra = 2 * spectra / window.sum()  # a full-scale sine reads 1.0 (0 dBFS)
    bins = np.fft.rfftfreq(size, 1 / rate)
    return {f: _level(f, spectra, bins) for f in frequencies}


def _level(frequency: float, spectra: np.ndarray, bins: np.ndarray) -> Level:
    own = np.abs(bins - frequency) <= BAND_HZ
    side = (np.abs(bins - frequency) >= SIDE_HZ[0]) & (np.abs(bins - frequency) <= SIDE_HZ[1])
    tone = _dbfs(spectra[:, own].max(axis=1))
    beside = _dbfs(np.median(spectra[:, side], axis=1))
    present = (tone >= PRESENT_DBFS) & (tone - beside >= STANDS_OUT_DB)
    return Level(frequency, float(tone.max()), _longest_run(present) * HOP_S)


def _dbfs(amplitude: np.ndarray) -> np.ndarray:
    return 20 * np.log10(np.maximum(amplitude, 1e-10))


def _longest_run(flags: np.ndarray) -> int:
    best = run = 0
    for flag in flags:
        run = run + 1 if flag else 0
        best = max(best, run)
    return best
