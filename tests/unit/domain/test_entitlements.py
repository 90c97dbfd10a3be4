"""Warranty and contract cover by hand-worked cases."""

from __future__ import annotations

import datetime as dt

from contact_center.domain.service.entitlements import ContractTerm, add_months, entitlement

D = dt.date


def test_warranty_runs_its_months_from_the_install_date() -> None:
    e = entitlement(D(2025, 1, 31), 24, [], D(2026, 12, 6))
    assert e.warranty_until == D(2027, 1, 30) and e.in_warranty
    assert add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)  # leap year: the month's last day
    assert not entitlement(D(2020, 5, 1), 24, [], D(2026, 12, 6)).in_warranty
    none = entitlement(D(2025, 1, 1), 0, [], D(2026, 12, 6))
    assert none.warranty_until is None and not none.in_warranty


def test_the_contract_in_force_longest_is_named_else_the_one_that_ended_last() -> None:
    old = ContractTerm(1, "basic", D(2023, 1, 1), D(2023, 12, 31))
    ended = ContractTerm(2, "standard", D(2024, 1, 1), D(2025, 12, 31))
    short = ContractTerm(3, "basic", D(2026, 1, 1), D(2026, 12, 31))
    long = ContractTerm(4, "premium", D(2026, 6, 1), D(2027, 5, 31))
    today = D(2026, 12, 6)
    now = entitlement(None, 0, [old, ended, short, long], today)
    assert now.contract == long and now.contract_active
    lapsed = entitlement(None, 0, [old, ended], today)
    assert lapsed.contract == ended and not lapsed.contract_active
    assert entitlement(None, 0, [ContractTerm(5, "basic", D(2027, 1, 1), D(2027, 12, 31))], today).contract is None
    assert entitlement(None, 0, [short], D(2026, 12, 31)).contract_active  # the last day is covered
