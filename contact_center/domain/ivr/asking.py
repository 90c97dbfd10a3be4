"""Menus and collects: asking the caller, judging the answer, retries and fallbacks."""

from __future__ import annotations

from contact_center.domain.ivr import model as m
from contact_center.domain.ivr.actions import CollectDigits, Digits, HangUp, NoInput
from contact_center.domain.ivr.run import Run


def ask(run: Run, node: m.Ask) -> None:
    """Play the prompt of a menu or collect and wait for the caller's answer."""
    speech = run.speech(node.prompt)
    run.prompts.append(speech.text)
    memo = run.flow.memo
    key = (id(node), run.language)
    hit = memo.get(key)
    if hit is not None and hit[0] is node and hit[1].prompt is speech:
        run.actions.append(hit[1])
    else:
        if isinstance(node, m.Collect):
            low, high, term, gap = node.min_length, node.max_length, node.terminator, node.inter_digit_timeout
        else:
            low, high, term, gap = 1, 1, None, 0.0
        action = CollectDigits(
            node=node.id,
            prompt=speech,
            min_digits=low,
            max_digits=high,
            terminator=term,
            timeout=node.timeout,
            inter_digit_timeout=gap,
        )
        memo[key] = (node, action)
        run.actions.append(action)
    run.waiting = "digits"


def answer(run: Run, event: Digits | NoInput) -> str | None:
    """The node to continue at after the caller's answer, or None when asking again or finished."""
    node = run.flow.nodes[run.node]
    assert isinstance(node, m.Ask)
    run.inputs += 1
    if run.inputs > run.flow.max_inputs:
        run.record_input(node.id, event, ok=False)
        run.finish(HangUp, {"reason": "too_many_inputs"})
        return None
    if isinstance(event, Digits):
        digits = event.digits
        if isinstance(node, m.Menu):
            target = node.options.get(digits)
            if target is not None:
                run.record_input(node.id, event, ok=True)
                if node.into:
                    run.writable()[node.into] = digits
                    run.language_changed()
                return target
        else:
            assert isinstance(node, m.Collect)
            if node.terminator and digits.endswith(node.terminator):
                digits = digits[: -len(node.terminator)]
            if _acceptable(node, digits):
                run.record_input(node.id, event, ok=True)
                run.writable()[node.into] = digits
                run.language_changed()
                return node.next
    run.record_input(node.id, event, ok=False)
    run.failures += 1
    if run.failures > node.retries:
        return node.fallback
    retry = node.no_input if isinstance(event, NoInput) else node.invalid
    if retry is not None:
        run.play(retry)
    ask(run, node)
    return None


def _acceptable(node: m.Collect, digits: str) -> bool:
    if not node.min_length <= len(digits) <= node.max_length:
        return False
    if node.pattern is not None:
        return node.pattern.fullmatch(digits) is not None
    return digits.isdigit()
