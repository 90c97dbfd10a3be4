"""Builders for the nodes that end a flow or leave it: queue, callback, voicemail, transfer, hangup, goto, sub-flows."""

from __future__ import annotations

from contact_center.crm.phones import InvalidPhoneNumber, to_e164
from contact_center.domain.ivr import model as m
from contact_center.domain.ivr.template import Template, Value, parse_template
from contact_center.flows.reader import NodeReader

_CALLER = parse_template("{caller}")


def static_text(template: Template | None) -> Template | str:
    """Text without variables is kept as plain text, so calls need not render it."""
    if template is None:
        return ""
    literal = template.literal
    return literal if literal is not None else template


def _queue_name(r: NodeReader, key: str) -> str:
    value = r.data.get(key)
    if not isinstance(value, str) or not value:
        r.error(key, f"{key!r} must name a queue, got {value!r}")
        return ""
    return value


def _priority(r: NodeReader) -> Template | int:
    value = r.raw("priority")
    if isinstance(value, str):
        return r.template("priority", value) or 0
    return int(r.number("priority", 0, 0, 100))


def _skills(r: NodeReader) -> tuple[Template, ...]:
    raw = r.data.get("skills", [])
    if not isinstance(raw, list) or not all(isinstance(s, str) for s in raw):
        r.error("skills", f"'skills' must be a list of skill names, got {raw!r}")
        return ()
    return tuple(t for s in raw if (t := r.template("skills", s)) is not None)


def queue(r: NodeReader) -> m.Node:
    data: dict[str, Template | Value] = {}
    raw = r.data.get("data", {})
    if not isinstance(raw, dict):
        r.error("data", "'data' must be a mapping of name to value")
        raw = {}
    for key, value in raw.items():
        data[str(key)] = static_text(r.template("data", value)) if isinstance(value, str) else value
    return m.QueueCall(
        id=r.id,
        line=r.line(),
        queue=_queue_name(r, "queue"),
        priority=_priority(r),
        skills=_skills(r),
        agent=r.text("agent"),
        data=data,
        say=r.prompt("say", required=False),
    )


def _phone(r: NodeReader, key: str, template: Template | None) -> Template | None:
    """A number written out is checked and stored in E.164; one made of variables is checked per call."""
    if template is None or template.literal is None:
        return template
    try:
        return parse_template(to_e164(template.literal, r.context.region))
    except InvalidPhoneNumber as exc:
        r.error(key, f"{key!r} must be a phone number: {exc}")
        return template


def callback(r: NodeReader) -> m.Node:
    return m.Callback(
        id=r.id,
        line=r.line(),
        queue=_queue_name(r, "callback"),
        priority=_priority(r),
        number=_phone(r, "number", r.text("number")) or _CALLER,
        skills=_skills(r),
        say=r.prompt("say", required=False),
    )


def voicemail(r: NodeReader) -> m.Node:
    mailbox = r.data.get("voicemail")
    if not isinstance(mailbox, str) or not mailbox:
        r.error("voicemail", f"'voicemail' must name a mailbox, got {mailbox!r}")
        mailbox = ""
    return m.Voicemail(
        id=r.id,
        line=r.line(),
        mailbox=mailbox,
        prompt=r.required_prompt("prompt", "voicemail prompt"),
        max_seconds=r.number("max_seconds", 120, 5, 600),
        say=r.prompt("say", required=False),
    )


def transfer(r: NodeReader) -> m.Node:
    number = r.data.get("transfer")
    if not isinstance(number, str) or not number:
        r.error("transfer", f"'transfer' must be a quoted phone number like \"+18005550100\", got {number!r}")
        number = ""
    target = _phone(r, "transfer", r.template("transfer", number)) if number else None
    return m.Transfer(id=r.id, line=r.line(), number=target or _CALLER, say=r.prompt("say", required=False))


def goto(r: NodeReader) -> m.Node:
    raw = r.data.get("goto")
    if isinstance(raw, str) and raw:
        return m.Goto(id=r.id, line=r.line(), target=raw)
    if isinstance(raw, dict) and isinstance(raw.get("flow"), str) and set(raw) <= {"flow", "node"}:
        node = raw.get("node")
        return m.Goto(id=r.id, line=r.line(), flow=raw["flow"], target=str(node) if node else None)
    r.error("goto", f"'goto' must be a node id or {{flow: NAME, node: NODE}}, got {raw!r}")
    return m.Goto(id=r.id, line=r.line(), target=None, flow="")


def subflow(r: NodeReader) -> m.Node:
    flow = r.data.get("subflow")
    if not isinstance(flow, str) or not flow:
        r.error("subflow", f"'subflow' must name a flow, got {flow!r}")
        flow = ""
    return m.SubFlow(id=r.id, line=r.line(), flow=flow, next=r.target("next"))


def return_(r: NodeReader) -> m.Node:
    return m.Return(id=r.id, line=r.line())


def hangup(r: NodeReader) -> m.Node:
    say_prompt = None if r.data.get("hangup") in (None, True) else r.prompt("hangup", required=False)
    return m.Hangup(id=r.id, line=r.line(), say=say_prompt)
