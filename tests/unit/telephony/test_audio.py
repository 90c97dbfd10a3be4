from array import array
from pathlib import Path

import pytest

from contact_center.telephony import audio


def test_ulaw_round_trip_keeps_speech_shape() -> None:
    pcm = audio.tone(440.0, 0.1)
    decoded = audio.ulaw_decode(audio.ulaw_encode(pcm))
    assert len(decoded) == len(pcm)
    assert audio.pearson(list(array("h", pcm)), list(array("h", decoded))) > 0.999


def test_ulaw_silence_and_extremes() -> None:
    assert audio.ulaw_encode(b"\x00\x00") == b"\xff"
    loud = array("h", [32767, -32768]).tobytes()
    assert audio.ulaw_encode(loud) == b"\x80\x00"
    assert audio.ulaw_samples(b"\x80\x00") == [32124, -32124]


def test_frames_pad_the_last_frame_with_silence() -> None:
    chunks = audio.frames(b"\x01\x00" * 200)
    assert [len(c) for c in chunks] == [320, 320]
    assert chunks[1][80:] == b"\x00" * 240


def test_mix_clips_instead_of_wrapping() -> None:
    a = array("h", [30000, -30000, 5]).tobytes()
    assert list(array("h", audio.mix(a, a))) == [32767, -32768, 10]


@pytest.mark.parametrize(("rate", "width", "channels"), [(8000, 2, 1), (22050, 2, 1), (16000, 1, 2), (44100, 4, 1)])
def test_read_wav_converts_any_pcm_to_8k_mono(tmp_path: Path, rate: int, width: int, channels: int) -> None:
    import wave

    seconds = 0.5
    source = audio.resample(list(array("h", audio.tone(300.0, seconds))), 8000, rate)
    path = tmp_path / "in.wav"
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(width)
        wav.setframerate(rate)
        out = bytearray()
        for s in source:
            sample = (s >> 8) + 128 if width == 1 else s << (8 * (width - 2))
            one = sample.to_bytes(1, "little") if width == 1 else sample.to_bytes(width, "little", signed=True)
            out += one * channels
        wav.writeframes(bytes(out))
    pcm = audio.read_wav(path)
    assert abs(len(pcm) // 2 - 4000) <= 2
    assert audio.pearson(list(array("h", audio.tone(300.0, seconds)))[100:3900], list(array("h", pcm))[100:3900]) > 0.98


def test_read_wav_rejects_garbage(tmp_path: Path) -> None:
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"RIFF0000WAVEjunk")
    with pytest.raises((EOFError, ValueError, OSError, Exception)):
        audio.read_wav(bad)


def test_best_correlation_finds_a_shifted_copy_and_rejects_noise() -> None:
    import random

    rng = random.Random(7)
    ref = [0] * 100 + list(array("h", audio.tone(350.0, 0.3))) + [rng.randint(-9000, 9000) for _ in range(2000)]
    shifted = [0] * 777 + [int(s * 0.5) for s in ref]
    noise = [rng.randint(-9000, 9000) for _ in range(len(shifted))]
    assert audio.best_correlation(ref, shifted, window=2000) > 0.99
    assert audio.best_correlation(ref, noise, window=2000) < 0.3


def test_locate_finds_a_probe_cut_from_the_middle_of_a_loop() -> None:
    import random

    rng = random.Random(3)
    reference = [int(6000 * rng.gauss(0, 1) * (1 + (i // 400) % 3)) for i in range(8000)]
    looped = reference + reference
    probe = [s // 3 for s in looped[5123 : 5123 + 2400]]
    offset, correlation = audio.locate(probe, looped)
    assert offset in (5123, 5123 + 8000) or offset == 5123 - 8000
    assert correlation > 0.999
    noise = [rng.randint(-9000, 9000) for _ in range(2400)]
    assert audio.locate(noise, looped)[1] < 0.3


def test_tone_power_finds_each_tone_in_a_mix() -> None:
    from array import array

    mixed = list(array("h", audio.mix(audio.tone(450, 1.0, 6000), audio.tone(1000, 1.0, 6000))))
    assert audio.tone_power(mixed, 450) > 100 * audio.tone_power(mixed, 2500)
    assert audio.tone_power(mixed, 1000) > 100 * audio.tone_power(mixed, 2500)
    assert audio.tone_power([0] * 800, 450) == 0.0 and audio.tone_power([], 450) == 0.0


def test_mixing_mu_law_frames_sums_the_voices_and_clips() -> None:
    low, high = audio.tone(450, 0.02, amplitude=6000), audio.tone(1650, 0.02, amplitude=6000)
    mixed = audio.ulaw_samples(audio.mix_ulaw([audio.ulaw_encode(low), audio.ulaw_encode(high)]))
    both = audio.mix(low, high)
    expected = audio.ulaw_samples(audio.ulaw_encode(both))
    assert max(abs(a - b) for a, b in zip(mixed, expected, strict=True)) < 600  # mu-law steps, rounding twice
    loud = audio.ulaw_encode(audio.tone(450, 0.02, amplitude=30000))
    assert max(audio.ulaw_samples(audio.mix_ulaw([loud, loud]))) <= 32767
    assert audio.mix_ulaw([loud]) == loud
