"""The default hold music: a soft arpeggio over I-vi-IV-V, synthesised at 8 kHz (pure).

Written for this project (no recorded or copyrighted audio): plucked notes with a little
second and third harmonic and an exponential decay, over a quiet sustained bass, 16 s
long and seamless when looped (the last notes' tails wrap round onto the start). Peaks
stay near -12 dBFS, pleasant on a phone and far from G.711's clipping.
"""

from __future__ import annotations

import functools
import math
from array import array

RATE = 8000
EIGHTH = 0.25  # seconds: 120 beats a minute
VERSION = 1  # bump when the tune changes, so cached copies are made again

# C major, A minor, F major, G major, each as four notes low to high (Hz)
_CHORDS = [
    (261.63, 329.63, 392.00, 523.25),
    (220.00, 261.63, 329.63, 440.00),
    (174.61, 220.00, 261.63, 349.23),
    (196.00, 246.94, 293.66, 392.00),
]
_PATTERNS = [(0, 1, 2, 3, 2, 1, 2, 1), (0, 2, 1, 3, 2, 3, 1, 2)]  # second pass varies the figure


def _note(freq: float, seconds: float, amplitude: float) -> list[float]:
    n = int(seconds * RATE)
    w = 2 * math.pi * freq / RATE
    attack = int(0.012 * RATE)
    out = []
    for i in range(n):
        env = (i / attack if i < attack else 1.0) * math.exp(-i / (0.38 * RATE))
        out.append(amplitude * env * (math.sin(w * i) + 0.28 * math.sin(2 * w * i) + 0.08 * math.sin(3 * w * i)))
    return out


def _pad(freq: float, seconds: float, amplitude: float) -> list[float]:
    n = int(seconds * RATE)
    w = 2 * math.pi * freq / RATE
    edge = int(0.25 * RATE)
    return [amplitude * min(1.0, i / edge, (n - i) / edge) * math.sin(w * i) for i in range(n)]


@functools.lru_cache(maxsize=1)
def hold_music() -> bytes:
    """16 s of 8 kHz mono signed 16-bit pcm; made once per process (~0.3 s)."""
    bar = 8 * EIGHTH
    total = int(len(_PATTERNS) * len(_CHORDS) * bar * RATE)
    mix = [0.0] * total
    notes: dict[float, list[float]] = {}
    pads: dict[float, list[float]] = {}

    def add(samples: list[float], at: float) -> None:
        start = int(at * RATE)
        for i, value in enumerate(samples):
            mix[(start + i) % total] += value

    at = 0.0
    for pattern in _PATTERNS:
        for chord in _CHORDS:
            root = chord[0] / 2
            add(pads.setdefault(root, _pad(root, bar, 1300.0)), at)
            for step, index in enumerate(pattern):
                freq = chord[index]
                add(notes.setdefault(freq, _note(freq, 1.1, 2600.0)), at + step * EIGHTH)
            at += bar
    peak = max(abs(v) for v in mix) or 1.0
    scale = 8000.0 / peak  # about -12 dBFS
    return array("h", [int(v * scale) for v in mix]).tobytes()
