import sys
from array import array
from pathlib import Path

import pytest

from contact_center.telephony import audio
from contact_center.telephony.port import PromptFile, Speech
from contact_center.telephony.prompts import PromptLibrary, speech_key

from ...tools import require_tool

FAKE_ESPEAK = """#!{python}
import math, sys, wave
args = sys.argv[1:]
out = args[args.index("-w") + 1]
text = args[-1]
with open({calls!r}, "a") as f:
    f.write(text + "\\n")
if text == "explode":
    sys.exit(3)
with wave.open(out, "wb") as w:
    w.setnchannels(1); w.setsampwidth(2); w.setframerate(22050)
    freq = 200 + 10 * len(text)
    w.writeframes(b"".join(int(8000 * math.sin(2 * math.pi * freq * i / 22050)).to_bytes(2, "little", signed=True)
                           for i in range(11025)))
"""


@pytest.fixture
def fake_espeak(tmp_path: Path) -> tuple[str, Path]:
    calls = tmp_path / "calls.txt"
    script = tmp_path / "espeak"
    script.write_text(FAKE_ESPEAK.format(python=sys.executable, calls=str(calls)))
    script.chmod(0o755)
    return str(script), calls


async def test_speech_is_rendered_once_at_8k_and_cached_on_disk(tmp_path: Path, fake_espeak: tuple[str, Path]) -> None:
    espeak, calls = fake_espeak
    library = PromptLibrary(tmp_path / "cache", espeak=espeak)
    pcm = await library.load(Speech("hello"))
    assert abs(len(pcm) - 8000) <= 4  # 0.5 s at 8 kHz, 16-bit
    assert library.cached_path(Speech("hello")).exists()
    assert library.cached_path(Speech("hello")).name == speech_key(Speech("hello")) + ".wav"
    again = await PromptLibrary(tmp_path / "cache", espeak=espeak).load(Speech("hello"))  # a fresh process
    assert again == pcm
    other_voice = await library.load(Speech("hello", voice="en-us"))
    assert other_voice == pcm  # the fake ignores the voice, but it is a different cache entry
    assert calls.read_text().splitlines() == ["hello", "hello"]


async def test_concurrent_loads_of_one_text_render_once(tmp_path: Path, fake_espeak: tuple[str, Path]) -> None:
    import asyncio

    espeak, calls = fake_espeak
    library = PromptLibrary(tmp_path / "cache", espeak=espeak)
    results = await asyncio.gather(*(library.load(Speech("same")) for _ in range(5)))
    assert len(set(results)) == 1
    assert calls.read_text().splitlines() == ["same"]


async def test_wav_file_prompt_is_converted(tmp_path: Path) -> None:
    path = tmp_path / "p.wav"
    audio.write_wav(path, audio.tone(500, 0.2))
    assert await PromptLibrary(tmp_path / "cache").load(PromptFile(path)) == audio.tone(500, 0.2)


@pytest.mark.parametrize("content", [None, b"", b"RIFF\x00\x00\x00\x00WAVEfmt garbage"])
async def test_missing_or_corrupt_file_falls_back_to_spoken_text(
    tmp_path: Path, fake_espeak: tuple[str, Path], content: bytes | None, caplog: pytest.LogCaptureFixture
) -> None:
    espeak, calls = fake_espeak
    path = tmp_path / "prompt.wav"
    if content is not None:
        path.write_bytes(content)
    library = PromptLibrary(tmp_path / "cache", espeak=espeak, fallback_text="fallback")
    pcm = await library.load(PromptFile(path))
    assert pcm == await library.load(Speech("fallback"))
    assert calls.read_text().splitlines() == ["fallback"]
    assert library.failures == 1
    assert "unusable" in caplog.text


async def test_failing_tts_falls_back_and_a_dead_tts_still_gives_a_tone(
    tmp_path: Path, fake_espeak: tuple[str, Path]
) -> None:
    espeak, _ = fake_espeak
    library = PromptLibrary(tmp_path / "cache", espeak=espeak, fallback_text="sorry")
    assert await library.load(Speech("explode")) == await library.load(Speech("sorry"))
    dead = PromptLibrary(tmp_path / "cache2", espeak=str(tmp_path / "no-such-binary"))
    assert await dead.load(Speech("anything")) == audio.tone(440.0, 0.5)


async def test_corrupt_cache_entry_is_rendered_again(tmp_path: Path, fake_espeak: tuple[str, Path]) -> None:
    espeak, calls = fake_espeak
    library = PromptLibrary(tmp_path / "cache", espeak=espeak)
    first = await library.load(Speech("hi"))
    library.cached_path(Speech("hi")).write_bytes(b"broken")
    assert await PromptLibrary(tmp_path / "cache", espeak=espeak).load(Speech("hi")) == first
    assert calls.read_text().splitlines() == ["hi", "hi"]


async def test_real_espeak_ng_renders_audible_speech(tmp_path: Path) -> None:
    require_tool("espeak-ng")
    pcm = await PromptLibrary(tmp_path).load(Speech("Welcome to the contact center."))
    samples = array("h", pcm)
    assert len(samples) > audio.RATE  # more than a second of speech
    assert max(abs(s) for s in samples) > 2000


def test_the_built_in_hold_music_is_a_seamless_16_second_loop_at_a_gentle_level() -> None:
    from array import array

    from contact_center.telephony import music

    samples = list(array("h", music.hold_music()))
    assert len(samples) == 16 * audio.RATE
    assert 6000 <= max(abs(s) for s in samples) <= 8100  # about -12 dBFS: no clipping in G.711
    assert abs(samples[-1] - samples[0]) < 1500  # the loop point has no click
