"""Pricing a quote by hand-worked cases."""

from __future__ import annotations

import pytest

from contact_center.domain.sales.pricing import CatalogItem, PricingError, needs_approval, price

BOILER = CatalogItem(1, "BLR-24", "Boiler 24 kW", 189_900, "USD")
SERVICE = CatalogItem(2, "SVC-Y", "Yearly service", 14_950, "USD")


def test_lines_subtotal_discount_and_total() -> None:
    quote = price([(BOILER, 2), (SERVICE, 3)], discount_percent=7.5)
    assert [line.line_total_cents for line in quote.lines] == [379_800, 44_850]
    assert quote.subtotal_cents == 424_650
    assert quote.discount_cents == 31_849  # 31 848.75 rounds half up to the cent, once, on the subtotal
    assert quote.total_cents == 392_801 and quote.currency == "USD"


def test_what_cannot_be_priced_names_the_field() -> None:
    with pytest.raises(PricingError) as none:
        price([])
    assert none.value.field == "lines"
    with pytest.raises(PricingError) as retired:
        price([(SERVICE, 1), (CatalogItem(3, "OLD", "Old model", 1, "USD", active=False), 1)])
    assert retired.value.field == "lines[1].product_id"
    with pytest.raises(PricingError) as mixed:
        price([(BOILER, 1), (CatalogItem(4, "EU", "Euro boiler", 1, "EUR"), 1)])
    assert "EUR" in mixed.value.reason
    with pytest.raises(PricingError) as zero:
        price([(BOILER, 0)])
    assert zero.value.field == "lines[0].quantity"


def test_a_discount_over_fifteen_percent_needs_a_supervisor() -> None:
    assert not needs_approval(15) and needs_approval(15.01)
