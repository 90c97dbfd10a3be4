"""Pricing a quote by hand-worked cases."""

from __future__ import annotations

import pytest

from contact_center.domain.sales.pricing import (
    CatalogItem,
    PriceList,
    PricingError,
    Rules,
    check_configuration,
    needs_approval,
    price,
    unit_price,
)

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


def test_a_unit_price_comes_from_the_segments_list_then_the_currencys_then_the_catalog() -> None:
    gold_eur = PriceList("EUR gold", "EUR", "gold", {1: 150_000})
    all_eur = PriceList("EUR", "EUR", None, {1: 170_000, 2: 13_000})
    lists = [all_eur, gold_eur]
    assert unit_price(BOILER, "EUR", "gold", lists) == (150_000, "EUR gold")
    assert unit_price(BOILER, "EUR", "standard", lists) == (170_000, "EUR")
    assert unit_price(SERVICE, "EUR", "gold", lists) == (13_000, "EUR")  # not on the gold list: everyone's
    assert unit_price(BOILER, "USD", "gold", lists) == (189_900, "catalog")
    with pytest.raises(PricingError, match="has no price in GBP"):
        unit_price(BOILER, "GBP", None, lists)


def test_configuration_rules_requires_excludes_and_quantities() -> None:
    boiler = CatalogItem(1, "BLR-24", "Boiler 24 kW", 189_900, "USD", rules=Rules(requires=frozenset({"FLUE-60"})))
    flue = CatalogItem(3, "FLUE-60", "Flue kit", 9_900, "USD", rules=Rules(max_quantity=2))
    smart = CatalogItem(4, "CTRL-S", "Smart controller", 19_900, "USD", rules=Rules(excludes=frozenset({"CTRL-B"})))
    basic = CatalogItem(5, "CTRL-B", "Basic controller", 4_900, "USD", rules=Rules(min_quantity=1))
    assert check_configuration([(boiler, 1), (flue, 1)]) == []
    assert check_configuration([(boiler, 1)]) == [
        ("lines[0].product_id", "Boiler 24 kW needs FLUE-60 on the same quote")
    ]
    assert check_configuration([(flue, 3)]) == [("lines[0].quantity", "Flue kit is sold 2 at most")]
    assert check_configuration([(basic, 1), (smart, 1)]) == [
        ("lines[1].product_id", "Smart controller cannot be sold with Basic controller")
    ]
