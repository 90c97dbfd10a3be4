"""Audio helpers in pure Python: G.711 mu-law, WAV in/out, resampling, correlation.

The internal format is 8 kHz mono signed 16-bit little-endian PCM ("pcm" below);
one 20 ms frame is 160 samples. ``audioop`` is avoided (deprecated, gone in 3.13).
"""

from __future__ import annotations

import math
import wave
from array import array
from pathlib import Path

RATE = 8000
FRAME_SAMPLES = 160  # 20 ms at 8 kHz
FRAME_BYTES = FRAME_SAMPLES * 2
ULAW_SILENCE = b"\xff" * FRAME_SAMPLES
_BIAS = 0x84
_CLIP = 32635


def _ulaw_from_linear(sample: int) -> int:
    sign = 0x80 if sample < 0 else 0
    magnitude = min(-sample if sign else sample, _CLIP) + _BIAS
    exponent = max(0, min(7, magnitude.bit_length() - 8))
    mantissa = (magnitude >> (exponent + 3)) & 0x0F
    return ~(sign | (exponent << 4) | mantissa) & 0xFF


def _linear_from_ulaw(code: int) -> int:
    code = ~code & 0xFF
    magnitude = (((code & 0x0F) << 3) + _BIAS) << ((code >> 4) & 0x07)
    return _BIAS - magnitude if code & 0x80 else magnitude - _BIAS


# Tables: decoding is 256 entries; encoding is indexed by the sample's top 14 bits.
_DECODE = [_linear_from_ulaw(c) for c in range(256)]
_DECODE_BYTES = [array("h", [v]).tobytes() for v in _DECODE]
_ENCODE = bytes(_ulaw_from_linear((i - 8192) << 2) for i in range(16384))


def ulaw_encode(pcm: bytes) -> bytes:
    samples = array("h", pcm)
    table = _ENCODE
    return bytes(table[(s >> 2) + 8192] for s in samples)


def ulaw_decode(ulaw: bytes) -> bytes:
    table = _DECODE_BYTES
    return b"".join(table[c] for c in ulaw)


def ulaw_samples(ulaw: bytes) -> list[int]:
    table = _DECODE
    return [table[c] for c in ulaw]


def frames(pcm: bytes, frame_bytes: int = FRAME_BYTES) -> list[bytes]:
    """Split into whole frames, padding the last one with silence."""
    out = [pcm[i : i + frame_bytes] for i in range(0, len(pcm), frame_bytes)]
    if out and len(out[-1]) < frame_bytes:
        out[-1] = out[-1] + b"\x00" * (frame_bytes - len(out[-1]))
    return out


def mix(a: bytes, b: bytes) -> bytes:
    """Sum two equal-length pcm buffers with clipping."""
    sa, sb = array("h", a), array("h", b)
    return array("h", [max(-32768, min(32767, x + y)) for x, y in zip(sa, sb, strict=True)]).tobytes()


def mix_ulaw(frames: list[bytes]) -> bytes:
    """One mu-law frame of several talking at once (a supervisor whispering over the customer): summed in
    linear, clipped, encoded again."""
    decode, encode = _DECODE, _ENCODE
    total = [0] * len(frames[0])
    for frame in frames:
        for i, code in enumerate(frame):
            total[i] += decode[code]
    return bytes(encode[(max(-32768, min(32767, v)) >> 2) + 8192] for v in total)


def rms(ulaw: bytes) -> int:
    """The loudness of a mu-law frame: root mean square of its linear samples."""
    decode = _DECODE
    return int((sum(decode[c] * decode[c] for c in ulaw) / max(1, len(ulaw))) ** 0.5)


def read_wav(path: Path) -> bytes:
    """Read a PCM WAV of any rate, width and channel count; return 8 kHz mono pcm.

    Raises ``wave.Error``/``EOFError``/``OSError`` for missing or corrupt files.
    """
    with wave.open(str(path), "rb") as wav:
        width, channels, rate = wav.getsampwidth(), wav.getnchannels(), wav.getframerate()
        raw = wav.readframes(wav.getnframes())
    if not raw:
        raise EOFError(f"{path}: no audio frames")
    samples = _to_int16(raw, width)
    if channels > 1:
        samples = [sum(samples[i : i + channels]) // channels for i in range(0, len(samples), channels)]
    return array("h", resample(samples, rate, RATE)).tobytes()


def _to_int16(raw: bytes, width: int) -> list[int]:
    if width == 1:
        return [(b - 128) << 8 for b in raw]
    if width == 2:
        return list(array("h", raw))
    if width in (3, 4):
        return [
            int.from_bytes(raw[i : i + width], "little", signed=True) >> (8 * (width - 2))
            for i in range(0, len(raw), width)
        ]
    raise ValueError(f"unsupported sample width {width}")


def resample(samples: list[int], src_rate: int, dst_rate: int) -> list[int]:
    """Linear interpolation, with a box low-pass first when downsampling."""
    if src_rate == dst_rate or not samples:
        return samples
    if src_rate > dst_rate:
        width = max(1, round(src_rate / dst_rate))
        acc, smoothed = 0, []
        for i, s in enumerate(samples):
            acc += s - (samples[i - width] if i >= width else 0)
            smoothed.append(acc // min(i + 1, width))
        samples = smoothed
    step = src_rate / dst_rate
    count = int(len(samples) / step)
    last = len(samples) - 1
    out = []
    for n in range(count):
        pos = n * step
        i = int(pos)
        frac = pos - i
        nxt = samples[i + 1] if i < last else samples[i]
        out.append(int(samples[i] + (nxt - samples[i]) * frac))
    return out


def write_wav(path: Path, pcm: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(pcm)


def tone(freq: float, seconds: float, amplitude: int = 8000) -> bytes:
    n = int(RATE * seconds)
    return array("h", [int(amplitude * math.sin(2 * math.pi * freq * i / RATE)) for i in range(n)]).tobytes()


def pearson(x: list[int], y: list[int]) -> float:
    n = min(len(x), len(y))
    if n < 2:
        return 0.0
    mx, my = sum(x[:n]) / n, sum(y[:n]) / n
    sxy = sum((a - mx) * (b - my) for a, b in zip(x[:n], y[:n], strict=True))
    sxx = sum((a - mx) ** 2 for a in x[:n])
    syy = sum((b - my) ** 2 for b in y[:n])
    return 0.0 if sxx == 0 or syy == 0 else sxy / math.sqrt(sxx * syy)


def onset(samples: list[int], threshold: int = 500) -> int:
    """Index of the first sample louder than ``threshold`` (len if none)."""
    return next((i for i, s in enumerate(samples) if abs(s) > threshold), len(samples))


def best_correlation(reference: list[int], captured: list[int], *, window: int = 8000, search: int = 160) -> float:
    """Pearson correlation of ``window`` samples after aligning both clips on their onsets,
    searching ``search`` samples either way around that alignment."""
    r0, c0 = onset(reference), onset(captured)
    ref = reference[r0 : r0 + window]
    best = 0.0
    for lag in range(-search, search + 1):
        start = c0 + lag
        if start < 0:
            continue
        best = max(best, pearson(ref, captured[start : start + len(ref)]))
    return best


def envelope(samples: list[int], step: int = 80) -> list[int]:
    """Mean magnitude per ``step`` samples (10 ms at 8 kHz)."""
    return [sum(abs(s) for s in samples[i : i + step]) // step for i in range(0, len(samples) - step + 1, step)]


def locate(probe: list[int], reference: list[int], step: int = 80) -> tuple[int, float]:
    """Where ``probe`` best matches inside ``reference``: (offset, Pearson correlation).

    Coarse search on 10 ms envelopes, then sample by sample around the best coarse match,
    so a few seconds of reference cost well under a second in pure Python.
    """
    coarse_probe, coarse_ref = envelope(probe, step), envelope(reference, step)
    span = len(coarse_probe)
    coarse = max(
        range(max(1, len(coarse_ref) - span + 1)), key=lambda k: pearson(coarse_probe, coarse_ref[k : k + span])
    )
    low, high = max(0, (coarse - 2) * step), min(len(reference) - len(probe), (coarse + 2) * step)
    best = (low, -1.0)
    for offset in range(low, high + 1):
        score = pearson(probe, reference[offset : offset + len(probe)])
        if score > best[1]:
            best = (offset, score)
    return best


def tone_power(samples: list[int], freq: float, rate: int = RATE) -> float:
    """Goertzel: the power of ``freq`` in ``samples``, per sample (0 for silence). Cheap
    enough in pure Python to find a tone in seconds of audio."""
    if not samples:
        return 0.0
    coeff = 2 * math.cos(2 * math.pi * freq / rate)
    s1 = s2 = 0.0
    for x in samples:
        s1, s2 = x + coeff * s1 - s2, s1
    return (s1 * s1 + s2 * s2 - coeff * s1 * s2) / len(samples) ** 2
