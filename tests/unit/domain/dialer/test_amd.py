"""Answering-machine detection by the timing of speech and silence (as Asterisk's AMD)."""

from __future__ import annotations

from contact_center.domain.dialer.amd import AmdSettings, MachineDetector, Verdict, frame_levels

LOUD, QUIET = 3000, 20


def _run(pattern: list[tuple[int, int]], settings: AmdSettings | None = None) -> tuple[Verdict, str, int]:
    """``pattern``: (milliseconds, level) stretches, fed 20 ms at a time until a decision."""
    detector = MachineDetector(settings or AmdSettings())
    for ms, level in pattern:
        for _ in range(ms // 20):
            decision = detector.feed(level)
            if decision is not None:
                return decision.verdict, decision.reason, decision.after_ms
    raise AssertionError("no decision")


def test_a_person_says_hello_and_waits() -> None:
    assert _run([(300, QUIET), (500, LOUD), (2000, QUIET)]) == (Verdict.HUMAN, "silence_after_greeting", 1600)
    # "Yes, hello?": two words with a breath between them, then waiting
    verdict, _, _ = _run([(200, QUIET), (300, LOUD), (200, QUIET), (400, LOUD), (1000, QUIET)])
    assert verdict is Verdict.HUMAN


def test_a_machine_talks_on_or_starts_late() -> None:
    assert _run([(200, QUIET), (3000, LOUD)])[:2] == (Verdict.MACHINE, "long_greeting")
    words = [(300, LOUD), (150, QUIET)] * 6  # "Hi you've reached Sam please leave a message"
    assert _run([(200, QUIET), *words])[:2] == (Verdict.MACHINE, "max_words")
    assert _run([(3000, QUIET)]) == (Verdict.MACHINE, "initial_silence", 2500)


def test_clicks_are_not_words_and_undecided_audio_is_not_sure() -> None:
    clicks = [(40, LOUD), (100, QUIET)] * 20  # too short to be words: still the initial silence
    assert _run([*clicks, (3000, QUIET)])[:2] == (Verdict.MACHINE, "initial_silence")
    patient = AmdSettings(after_greeting_silence_ms=10_000, total_analysis_ms=2000)
    assert _run([(300, LOUD), (5000, QUIET)], patient) == (Verdict.NOT_SURE, "too_long", 2000)


def test_frame_levels_are_the_rms_of_20ms_frames() -> None:
    assert frame_levels([1000] * 160 + [0] * 160 + [3] * 10) == [1000, 0]
