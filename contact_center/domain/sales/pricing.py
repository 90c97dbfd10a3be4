"""A quote's price: each line at its unit price, the subtotal, a discount off it, the total; which price
list gives the unit price; and the configuration rules a quote's lines must keep.

Amounts are whole cents; the discount is rounded half up to the cent once, on the subtotal (not per
line), so the total is what the customer reads on the quote.

A unit price comes from the price list of the quote's currency for the customer's segment, else from the
currency's list for every segment, else from the catalog when the catalog prices the product in that
currency; otherwise the product cannot be quoted in that currency.

A product's rules: other products it ``requires`` on the same quote (a boiler needs its flue kit), ones it
``excludes`` (two controllers that cannot both be fitted), and the quantities it may be quoted in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

MAX_DISCOUNT_WITHOUT_APPROVAL = 15.0  # percent: above it, a supervisor gives the quote


class PricingError(ValueError):
    """A quote that cannot be priced; ``field`` names what to change."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field, self.reason = field, reason


@dataclass(frozen=True, slots=True)
class Rules:
    requires: frozenset[str] = frozenset()  # SKUs that must be on the same quote
    excludes: frozenset[str] = frozenset()  # SKUs that must not
    min_quantity: int = 1
    max_quantity: int | None = None


@dataclass(frozen=True, slots=True)
class CatalogItem:
    id: int
    sku: str
    name: str
    price_cents: int
    currency: str
    active: bool = True
    rules: Rules = field(default_factory=Rules)


@dataclass(frozen=True, slots=True)
class PriceList:
    name: str
    currency: str
    segment: str | None  # None: for every segment
    prices: Mapping[int, int]  # product id -> unit price in cents


def unit_price(item: CatalogItem, currency: str, segment: str | None, lists: Sequence[PriceList]) -> tuple[int, str]:
    """The product's unit price in ``currency`` for a customer of ``segment``, and where it came from (a price
    list's name, or "catalog"); PricingError when nothing prices it in that currency."""
    for wanted in (segment, None):
        for price_list in lists:
            if price_list.currency == currency and price_list.segment == wanted and item.id in price_list.prices:
                return price_list.prices[item.id], price_list.name
    if item.currency == currency:
        return item.price_cents, "catalog"
    raise PricingError("currency", f"{item.name} has no price in {currency}")


def check_configuration(lines: Sequence[tuple[CatalogItem, int]]) -> list[tuple[str, str]]:
    """What breaks the products' rules, as (field, reason) pairs; empty when the lines may be quoted."""
    on_quote = {item.sku for item, _ in lines}
    names = {item.sku: item.name for item, _ in lines}
    problems: list[tuple[str, str]] = []
    for n, (item, quantity) in enumerate(lines):
        rules = item.rules
        if quantity < rules.min_quantity:
            problems.append((f"lines[{n}].quantity", f"{item.name} is sold {rules.min_quantity} at least"))
        if rules.max_quantity is not None and quantity > rules.max_quantity:
            problems.append((f"lines[{n}].quantity", f"{item.name} is sold {rules.max_quantity} at most"))
        missing = sorted(rules.requires - on_quote)
        if missing:
            problems.append((f"lines[{n}].product_id", f"{item.name} needs {', '.join(missing)} on the same quote"))
        clash = sorted(rules.excludes & on_quote - {item.sku})
        if clash:
            together = ", ".join(names[sku] for sku in clash)
            problems.append((f"lines[{n}].product_id", f"{item.name} cannot be sold with {together}"))
    return problems


@dataclass(frozen=True, slots=True)
class PricedLine:
    product_id: int
    sku: str
    name: str
    quantity: int
    unit_price_cents: int
    line_total_cents: int


@dataclass(frozen=True, slots=True)
class PricedQuote:
    lines: tuple[PricedLine, ...]
    currency: str
    subtotal_cents: int
    discount_percent: float
    discount_cents: int
    total_cents: int


def price(lines: Iterable[tuple[CatalogItem, int]], discount_percent: float = 0.0) -> PricedQuote:
    priced = []
    currencies = set()
    for n, (item, quantity) in enumerate(lines):
        if not item.active:
            raise PricingError(f"lines[{n}].product_id", f"{item.name} is no longer sold")
        if quantity < 1:
            raise PricingError(f"lines[{n}].quantity", "must be at least 1")
        currencies.add(item.currency)
        priced.append(PricedLine(item.id, item.sku, item.name, quantity, item.price_cents, item.price_cents * quantity))
    if not priced:
        raise PricingError("lines", "a quote needs at least one line")
    if len(currencies) > 1:
        raise PricingError("lines", f"products priced in different currencies ({', '.join(sorted(currencies))})")
    if not 0 <= discount_percent <= 100:
        raise PricingError("discount_percent", "must be between 0 and 100")
    subtotal = sum(line.line_total_cents for line in priced)
    discount = int((Decimal(subtotal) * Decimal(str(discount_percent)) / 100).quantize(Decimal(1), ROUND_HALF_UP))
    return PricedQuote(tuple(priced), currencies.pop(), subtotal, discount_percent, discount, subtotal - discount)


def needs_approval(discount_percent: float) -> bool:
    return discount_percent > MAX_DISCOUNT_WITHOUT_APPROVAL
