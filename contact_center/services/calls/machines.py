"""A dialled customer's first seconds, for a campaign that screens for answering machines.

The detector (domain/dialer/amd.py) listens to the answered leg before anyone is bridged to it; a person
(or audio it cannot call) goes on to the agent, a machine is hung up on, after the campaign's message when
it leaves one. The message is spoken once the greeting is over: after its beep, when the line has been
quiet for a moment (or after ``GREETING_LIMIT_SECONDS`` whatever it says).
"""

from __future__ import annotations

import asyncio
import logging

from contact_center.domain.dialer.amd import FRAME_MS, AmdSettings, Decision, MachineDetector, Verdict
from contact_center.services.calls.record import CampaignCall
from contact_center.telephony.port import Speech, TelephonyPort

log = logging.getLogger(__name__)
QUIET_AFTER_GREETING_MS = 1200  # the greeting and its beep are over
GREETING_LIMIT_SECONDS = 30.0


async def screen(
    port: TelephonyPort, leg: str, campaign: CampaignCall, settings: AmdSettings | None = None
) -> Decision:
    """Person or machine, from the leg's first seconds (raises CallEnded if they hang up meanwhile). A machine
    is left the campaign's message when it has one; the caller hangs the leg up."""
    settings = settings or AmdSettings()
    detector = MachineDetector(settings)
    decision: Decision | None = None
    try:
        async with asyncio.timeout(settings.total_analysis_ms / 1000 + 2.0):
            async for level in port.levels(leg):
                decision = detector.feed(level)
                if decision is not None:
                    break
    except TimeoutError:  # the media never came: nothing to judge by, so a person, as the rules would have it
        decision = Decision(Verdict.NOT_SURE, "no_audio", settings.total_analysis_ms)
    assert decision is not None
    if decision.machine and campaign.answering_machine == "leave_message" and campaign.machine_message.strip():
        await _after_the_greeting(port, leg, settings)
        await port.play(leg, Speech(campaign.machine_message), barge_in=False)
    return decision


async def _after_the_greeting(port: TelephonyPort, leg: str, settings: AmdSettings) -> None:
    quiet = 0
    try:
        async with asyncio.timeout(GREETING_LIMIT_SECONDS):
            async for level in port.levels(leg):
                quiet = quiet + FRAME_MS if level < settings.silence_threshold else 0
                if quiet >= QUIET_AFTER_GREETING_MS:
                    return
    except TimeoutError:
        log.info("a machine's greeting on %s went on for %.0f s: the message is left now", leg, GREETING_LIMIT_SECONDS)
