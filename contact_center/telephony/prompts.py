"""Prompts: WAV files and espeak-ng speech, as 8 kHz mono pcm, cached.

Speech is rendered once per (voice, text) into ``cache_dir/<sha256>.wav`` (already 8 kHz)
and reused across restarts. A missing or corrupt prompt never ends a call: it is logged
and replaced by spoken fallback text, and if even espeak-ng fails, by a short tone.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import subprocess
import tempfile
import wave
from pathlib import Path
from typing import Any

from contact_center.telephony import audio, music
from contact_center.telephony.port import Prompt, PromptFile, Speech

log = logging.getLogger(__name__)

FALLBACK_TEXT = "Sorry, this message is not available."


class PromptError(Exception):
    """A prompt could not be loaded or rendered."""


class PromptLibrary:
    """Turns ``Prompt`` values into pcm; safe to share between calls on one loop."""

    def __init__(
        self,
        cache_dir: Path,
        *,
        espeak: str = "espeak-ng",
        fallback_text: str = FALLBACK_TEXT,
        render_timeout: float = 20.0,
    ) -> None:
        self.cache_dir = cache_dir
        self.espeak = espeak
        self.fallback_text = fallback_text
        self.render_timeout = render_timeout
        # Decoded audio kept in memory: decoding a WAV is pure Python and holds the GIL, so
        # reading the same prompt from disk for every call delayed the media clock under load.
        self._files: dict[tuple[Path, float, int], bytes] = {}
        self._spoken: dict[str, bytes] = {}
        self._renders: dict[str, asyncio.Task[bytes]] = {}
        self.failures = 0

    async def load(self, prompt: Prompt) -> bytes:
        """Audio for ``prompt``; never raises (falls back to speech, then to a tone)."""
        try:
            return await self._load(prompt)
        except (PromptError, OSError, EOFError, wave.Error, ValueError) as exc:
            self.failures += 1
            log.warning("prompt %r unusable (%s); playing the fallback", prompt, exc)
        try:
            return await self._load(Speech(self.fallback_text))
        except (PromptError, OSError, EOFError, wave.Error, ValueError) as exc:
            log.error("fallback speech failed too (%s); playing a tone", exc)
            return audio.tone(440.0, 0.5)

    async def _load(self, prompt: Prompt) -> bytes:
        if isinstance(prompt, PromptFile):
            return await self._load_file(prompt.path)
        if not prompt.text.strip():
            raise PromptError("empty text")
        key = speech_key(prompt)
        known = self._spoken.get(key)
        if known is not None:
            return known
        task = self._renders.get(key)
        if task is None:
            task = asyncio.ensure_future(self._speech(prompt, key))
            self._renders[key] = task
            task.add_done_callback(lambda _t: self._renders.pop(key, None))
        return await asyncio.shield(task)

    async def _load_file(self, path: Path) -> bytes:
        stat = await asyncio.to_thread(path.stat)
        key = (path, stat.st_mtime, stat.st_size)
        pcm = self._files.get(key)
        if pcm is None:
            pcm = await asyncio.to_thread(audio.read_wav, path)
            _keep(self._files, key, pcm)
        return pcm

    @property
    def default_music_path(self) -> Path:
        return self.cache_dir / f"hold-music-v{music.VERSION}.wav"

    async def hold_music(self, path: Path | None = None) -> bytes:
        """Hold music: the WAV at ``path`` (CC_HOLD_MUSIC) if it is usable, else the generated
        tune, synthesised once into the cache. Never raises: a broken file is logged and the
        tune plays instead (music, not the spoken fallback, is what a caller on hold expects)."""
        return (await self.hold_music_from(path))[0]

    async def hold_music_from(self, path: Path | None) -> tuple[bytes, Path]:
        """The hold music and the file it came from (``path``, or the generated tune's)."""
        if path is not None:
            try:
                return await self._load_file(path), path
            except (OSError, EOFError, wave.Error, ValueError) as exc:
                self.failures += 1
                log.warning("hold music %s unusable (%s); playing the built-in tune", path, exc)
        target = self.default_music_path
        try:
            return await self._load_file(target), target
        except (OSError, EOFError, wave.Error, ValueError):
            pass  # not made yet (or damaged): make it
        pcm = await asyncio.to_thread(music.hold_music)
        try:
            raw = await asyncio.to_thread(_temp_wav, self.cache_dir)
            await asyncio.to_thread(audio.write_wav, raw, pcm)
            await asyncio.to_thread(raw.replace, target)
        except OSError as exc:
            log.warning("cannot cache the hold music in %s (%s)", self.cache_dir, exc)
        return pcm, target

    def cached_path(self, speech: Speech) -> Path:
        return self.cache_dir / f"{speech_key(speech)}.wav"

    async def _speech(self, speech: Speech, key: str) -> bytes:
        target = self.cache_dir / f"{key}.wav"
        cached = await asyncio.to_thread(_read_cached, target)
        if cached is None:
            raw = await asyncio.to_thread(_temp_wav, self.cache_dir)
            try:
                await self._run_espeak(speech, raw)
                cached = await asyncio.to_thread(_convert_into, raw, target)
            finally:
                await asyncio.to_thread(raw.unlink, missing_ok=True)
        _keep(self._spoken, key, cached)
        return cached

    async def _run_espeak(self, speech: Speech, out: Path) -> None:
        # In a thread, not an asyncio subprocess: a call that ends mid-render cancels only the wait, and
        # the renderer finishes (or times out) on its own instead of leaving a pipe behind.
        await asyncio.to_thread(
            _render, [self.espeak, "-v", speech.voice, "-w", str(out), "--", speech.text], self.render_timeout
        )


def _render(command: list[str], timeout: float) -> None:
    try:
        done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=timeout, check=False)
    except OSError as exc:
        raise PromptError(f"cannot run {command[0]}: {exc}") from exc
    except subprocess.TimeoutExpired:
        raise PromptError("espeak-ng timed out") from None
    if done.returncode != 0:
        raise PromptError(f"espeak-ng exited {done.returncode}: {done.stderr.decode(errors='replace').strip()}")


MEMORY_PROMPTS = 256


def _keep(cache: dict[Any, bytes], key: Any, pcm: bytes) -> None:
    """Remember ``pcm``, forgetting the oldest entry beyond MEMORY_PROMPTS (a flow has tens)."""
    if len(cache) >= MEMORY_PROMPTS:
        cache.pop(next(iter(cache)))
    cache[key] = pcm


def speech_key(speech: Speech) -> str:
    return hashlib.sha256(f"{speech.voice}\0{speech.text}".encode()).hexdigest()


def _read_cached(target: Path) -> bytes | None:
    if not target.exists():
        return None
    try:
        return audio.read_wav(target)
    except (OSError, EOFError, wave.Error, ValueError):
        log.warning("cached prompt %s is corrupt; rendering it again", target)
        return None


def _temp_wav(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(suffix=".wav", dir=directory)
    os.close(fd)
    return Path(name)


def _convert_into(raw: Path, target: Path) -> bytes:
    """Convert espeak-ng's output to 8 kHz in place, then move it into the cache atomically."""
    pcm = audio.read_wav(raw)
    audio.write_wav(raw, pcm)
    raw.replace(target)  # a concurrent reader never sees half a file
    return pcm
