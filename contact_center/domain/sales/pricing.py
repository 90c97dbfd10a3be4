"""A quote's price: each line at the catalog's unit price, the subtotal, a discount off it, the total.

Amounts are whole cents; the discount is rounded half up to the cent once, on the subtotal (not per
line), so the total is what the customer reads on the quote.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

MAX_DISCOUNT_WITHOUT_APPROVAL = 15.0  # percent: above it, a supervisor gives the quote


class PricingError(ValueError):
    """A quote that cannot be priced; ``field`` names what to change."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field, self.reason = field, reason


@dataclass(frozen=True, slots=True)
class CatalogItem:
    id: int
    sku: str
    name: str
    price_cents: int
    currency: str
    active: bool = True


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
