"""Which telephony adapter the server runs: real SIP when a registrar is configured, else the simulated one."""

from __future__ import annotations

from contact_center.config import Settings
from contact_center.telephony.events import OriginateOutcome
from contact_center.telephony.port import TelephonyPort
from contact_center.telephony.prompts import PromptLibrary
from contact_center.telephony.simulated import Programmed, SimulatedTelephony

# The demo's simulated calls play prompts at real speed, so a person at the caller simulator hears a pace
# like a phone's.
DEMO_SPEED = 1.0


def build_telephony(settings: Settings) -> TelephonyPort:
    prompts = PromptLibrary(settings.var_dir / "prompts")
    if settings.sip_registrar is None:
        # In the demo every agent's phone is the browser: it "answers" a second after it rings.
        # Several demo nodes (CC_NODE_ID) keep their call ids apart.
        return SimulatedTelephony(
            prompts,
            speed=DEMO_SPEED,
            hold_music=settings.hold_music,
            unprogrammed=Programmed(OriginateOutcome.ANSWERED, delay=1.0),
            id_prefix=f"sim-{settings.node_id}" if settings.node_id else "sim",
        )
    from contact_center.telephony.sip import SipLine, SipTelephony  # pyVoIP is only imported when used

    telephony = SipTelephony(
        prompts, rtp_ports=settings.rtp_ports, max_calls=settings.sip_max_calls, hold_music=settings.hold_music
    )
    telephony.open_line(
        SipLine(
            registrar=settings.sip_registrar,
            user=settings.sip_user,
            password=settings.sip_password,
            local_ip=settings.sip_local_ip,
            local_port=settings.sip_local_port,
        )
    )
    return telephony
