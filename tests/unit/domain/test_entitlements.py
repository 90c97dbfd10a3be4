"""Warranty and contract cover by hand-worked cases."""

from __future__ import annotations

import datetime as dt

from contact_center.domain.service.entitlements import (
    ContractTerm,
    WarrantyCover,
    add_months,
    entitlement,
    warranty_cover,
)

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


def test_parts_and_labour_run_for_months_of_their_own_from_installation() -> None:
    installed = dt.date(2025, 3, 10)
    cover = warranty_cover(installed, 24, 12, dt.date(2026, 3, 9))
    assert (cover.parts_until, cover.labour_until) == (dt.date(2027, 3, 9), dt.date(2026, 3, 9))
    assert cover.covers == "parts_and_labour"
    assert warranty_cover(installed, 24, 12, dt.date(2026, 3, 10)).covers == "parts"  # labour ended the day before
    assert warranty_cover(installed, 6, 12, dt.date(2025, 12, 1)).covers == "labour"
    assert warranty_cover(installed, 24, 12, dt.date(2027, 3, 10)).covers is None
    assert warranty_cover(installed, 24, 12, dt.date(2025, 3, 9)).covers is None  # before it was installed
    assert warranty_cover(None, 24, 12, dt.date(2026, 1, 1)).covers is None  # no install date: nothing to check
    assert warranty_cover(installed, 0, 0, dt.date(2025, 4, 1)) == WarrantyCover(None, None, False, False)


def test_the_contract_year_and_the_visits_it_includes() -> None:
    from contact_center.domain.service.entitlements import contract_year, visit_included

    starts = dt.date(2024, 2, 29)  # a leap day: its anniversaries fall on the 28th
    assert contract_year(starts, dt.date(2026, 3, 1)) == (dt.date(2026, 2, 28), dt.date(2027, 2, 27))
    assert contract_year(starts, dt.date(2026, 2, 27)) == (dt.date(2025, 2, 28), dt.date(2026, 2, 27))
    assert contract_year(starts, starts) == (starts, dt.date(2025, 2, 27))
    assert visit_included(1, 0) and not visit_included(1, 1)
    assert visit_included(4, 3) and not visit_included(4, 4)
    assert not visit_included(0, 0)  # a tier without visits includes none
