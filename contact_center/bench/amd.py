"""`contact-center bench amd`: the answering-machine detector's error rate on recorded greetings.

The recordings are made here with espeak-ng (no corpus of real calls ships with the project): people's
short answers ("Hello?", "Hi, this is Maria.") followed by the silence of someone waiting, and voicemail
greetings followed by the beep, in four voices and three speeds, each after a random pause, with line
noise, through the µ-law codec of a phone line. The detector (domain/dialer/amd.py) hears each as it would
on a call, 20 ms at a time. Printed: how often a person is taken for a machine (each one an abandoned
call), how often a machine is taken for a person (an agent hears a greeting), the reasons, and how long
deciding took. Synthetic speech is cleaner and more regular than real callers: the figures are a floor
on the error, not a promise.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from contact_center.bench.stats import percentiles
from contact_center.domain.dialer.amd import MachineDetector, Verdict, frame_levels
from contact_center.telephony import audio

PEOPLE = (
    "Hello?",
    "Hello.",
    "Yes?",
    "Hi, this is Maria.",
    "Hello, who is this?",
    "Yeah, hello?",
    "Good morning.",
    "Hello, Garcia Imports.",
    "Speaking.",
    "Hi.",
    "Hello, Sam speaking.",
    "Yes, hello?",
)
MACHINES = (
    "Hi, you've reached Sam Lee. I can't take your call right now, please leave a message after the tone.",
    "The person you are calling is not available. Please leave your message after the beep.",
    "Hello, this is Maria. Sorry I missed you. Leave your name and number and I'll call you back.",
    "You have reached the voicemail of extension two zero four five. Please leave a message.",
    "Thanks for calling Garcia Imports. Our office is closed. Please leave a message.",
    "Hi, it's Tom. Leave a message.",
    "Hello. You've reached the Lee family. We're not home right now.",
    "Please leave a message for Robert after the tone.",
)
VOICES = ("en", "en-us", "en+f3", "en+m3")
SPEEDS = (140, 175, 200)


def register(kinds: Any) -> None:
    parser = kinds.add_parser("amd", help="answering-machine detection: error rate on recorded greetings")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    parser.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    if shutil.which("espeak-ng") is None:
        raise SystemExit("espeak-ng is not installed (apt-get install espeak-ng): it records the greetings")
    result = run(args.seed)
    print(json.dumps(result) if args.json else "\n".join(f"{k:>26}: {v}" for k, v in result.items()))
    return 0


def _speak(text: str, voice: str, speed: int, directory: Path) -> list[int]:
    path = directory / "speech.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(path), text], check=True)
    return list(audio.ulaw_samples(audio.ulaw_encode(audio.read_wav(path))))


def _on_the_line(rng: random.Random, lead: float, speech: list[int], tail: list[int]) -> list[int]:
    """A pause, the speech, what follows it; line noise throughout; through the µ-law codec."""
    samples = [0] * int(lead * audio.RATE) + speech + tail
    noisy = [max(-32768, min(32767, s + int(rng.gauss(0, 30)))) for s in samples]
    pcm = b"".join(int(x).to_bytes(2, "little", signed=True) for x in noisy)
    return audio.ulaw_samples(audio.ulaw_encode(pcm))


def _decide(samples: list[int]) -> tuple[Verdict, str, int]:
    detector = MachineDetector()
    for level in frame_levels(samples):
        decision = detector.feed(level)
        if decision is not None:
            return decision.verdict, decision.reason, decision.after_ms
    return Verdict.NOT_SURE, "audio_ended", len(samples) // 8


def run(seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    beep = [int(v) for v in audio.ulaw_samples(audio.ulaw_encode(audio.tone(1000, 0.5, amplitude=8000)))]
    silence = [0] * (4 * audio.RATE)
    verdicts: dict[str, Counter[str]] = {"person": Counter(), "machine": Counter()}
    reasons: dict[str, Counter[str]] = {"person": Counter(), "machine": Counter()}
    took: dict[str, list[float]] = {"person": [], "machine": []}
    with tempfile.TemporaryDirectory(prefix="cc-bench-amd-") as tmp:
        directory = Path(tmp)
        cases = [("person", t) for t in PEOPLE] + [("machine", t) for t in MACHINES]
        total = len(cases) * len(VOICES) * len(SPEEDS)
        done = 0
        for kind, text in cases:
            for voice in VOICES:
                for speed in SPEEDS:
                    speech = _speak(text, voice, speed, directory)
                    if kind == "person":
                        samples = _on_the_line(rng, rng.uniform(0.1, 0.8), speech, silence)
                    else:
                        samples = _on_the_line(rng, rng.uniform(0.2, 1.5), speech, beep + silence)
                    verdict, reason, after_ms = _decide(samples)
                    verdicts[kind][verdict] += 1
                    reasons[kind][reason] += 1
                    took[kind].append(after_ms)
                    done += 1
                    if done % 24 == 0:
                        print(f"{done}/{total} greetings", file=sys.stderr)
    people, machines = sum(verdicts["person"].values()), sum(verdicts["machine"].values())
    return {
        "greetings": f"{people} people, {machines} machines (espeak-ng, {len(VOICES)} voices x {len(SPEEDS)} speeds)",
        "person_taken_for_machine": f"{verdicts['person']['machine']} ({verdicts['person']['machine'] / people:.1%})",
        "machine_taken_for_person": (
            f"{machines - verdicts['machine']['machine']} ({1 - verdicts['machine']['machine'] / machines:.1%}; "
            f"not sure {verdicts['machine']['not_sure']})"
        ),
        "reasons_people": dict(reasons["person"]),
        "reasons_machines": dict(reasons["machine"]),
        "decided_after_ms_people": percentiles(took["person"], 0),
        "decided_after_ms_machines": percentiles(took["machine"], 0),
    }
