"""What the analytics pages show, read with grouped queries: one query per figure over an indexed column,
returning a few dozen groups at most, so a page costs about the same on a thousand customers as on a million
(``contact-center bench analytics`` measures it). Days and months are the centre's (``CC_TIMEZONE``): rows
are counted against the instants where each local day or month begins and ends (domain/analytics/buckets.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    String,
    and_,
    case,
    column,
    func,
    literal,
    literal_column,
    or_,
    select,
    true,
    values,
)
from sqlalchemy.ext.asyncio import AsyncSession

from contact_center.domain.analytics import buckets, churn
from contact_center.domain.analytics.funnel import RULE, funnel
from contact_center.domain.sales.forecast import OPEN_STAGES
from contact_center.store.portable_sql import (
    json_array_elements,
    json_array_length,
    json_text,
    month_text,
)
from contact_center.store.tables import (
    Activity,
    Case,
    Customer,
    ForecastSnapshot,
    Lead,
    Opportunity,
    Order,
    Product,
    User,
)
from contact_center.store.types import UtcDateTime

ForecastBy = Literal["owner", "product_group"]
NO_KEY = "(none)"  # a deal without an owner, or a product the catalogue does not know, is counted under this
FORECAST_MONTHS_AHEAD = 12  # the office watch keeps the forecast of this month and the next eleven


@dataclass(frozen=True)
class Table:
    """One analytics table: its columns in order (the CSV header), its rows, and what the page must say about
    how the figures are made."""

    columns: tuple[str, ...]
    rows: list[dict[str, Any]]
    note: str
    summary: dict[str, Any] = field(default_factory=dict)

    def json(self) -> dict[str, Any]:
        return {"columns": list(self.columns), "items": self.rows, "note": self.note, "summary": self.summary}


def _local_days(first: dt.date, last: dt.date, zone: ZoneInfo) -> Any:
    """The centre's days of [first, last] as a table (day, lo, hi): the instants each begins and ends. Counting
    rows against it reads an index range per day and sorts nothing, where grouping a year of rows by an
    expression sorts them all."""
    bounds = [(day.isoformat(), *buckets.bounds(day, day, zone)) for day in buckets.days_between(first, last)]
    table = values(column("day", String), column("lo", UtcDateTime()), column("hi", UtcDateTime()), name="days")
    return table.data(bounds).cte("days")


def _on_the_day(instant: Any, days: Any) -> ColumnElement[bool]:
    return and_(instant >= days.c.lo, instant < days.c.hi)


def _count(*where: ColumnElement[bool]) -> Any:
    return select(func.count()).where(*where).scalar_subquery()


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


# -- the sales funnel ---------------------------------------------------------------------------------------
async def sales_funnel(session: AsyncSession, start: dt.datetime, end: dt.datetime) -> Table:
    """The deals opened in [start, end): how many reached each stage and went on to the next."""
    query = (
        select(Opportunity.stage, func.count(), func.coalesce(func.sum(Opportunity.amount_cents), 0))
        .where(Opportunity.created_at >= start, Opportunity.created_at < end)
        .group_by(Opportunity.stage)
    )
    standing = {stage: (int(n), int(amount)) for stage, n, amount in await session.execute(query)}
    found = funnel(standing)
    rows = [
        {
            "stage": r.stage,
            "deals": r.deals,
            "amount_cents": r.amount_cents,
            "reached": r.reached,
            "conversion": r.conversion,
        }
        for r in found.rows
    ]
    summary = {"lost": found.lost, "lost_amount_cents": found.lost_amount_cents, "win_rate": found.win_rate}
    return Table(("stage", "deals", "amount_cents", "reached", "conversion"), rows, RULE, summary)


# -- forecast against actual --------------------------------------------------------------------------------
async def open_forecast(session: AsyncSession, first: dt.date, last: dt.date) -> dict[str, tuple[int, int, int]]:
    """Open deals expected to close in [first, last] per month: (deals, pipeline, weighted) in cents."""
    month = month_text(session, Opportunity.expected_close)
    query = (
        select(
            month,
            func.count(),
            func.coalesce(func.sum(Opportunity.amount_cents), 0),
            func.coalesce(func.sum(Opportunity.amount_cents * Opportunity.probability), 0),
        )
        .where(Opportunity.stage.in_(OPEN_STAGES), Opportunity.expected_close.between(first, last))
        .group_by(month)
    )
    return {
        str(m): (int(n), int(amount), round(int(weighted) / 100))
        for m, n, amount, weighted in await session.execute(query)
    }


async def forecast_by(session: AsyncSession, by: ForecastBy, first: dt.date, last: dt.date, zone: ZoneInfo) -> Table:
    """Per month of [first, last] and owner or product group: the open deals expected to close then, in full and
    times their probability, and the deals won then (in the centre's months), in full. A deal counts once under
    each product group it holds. Summed in the database: a year of a large pipeline is a few hundred groups."""
    deals = _deals_keyed(session, by)
    found: dict[tuple[str, Any], list[int]] = {}
    expected = month_text(session, deals.c.expected_close)
    open_query = (
        select(expected, deals.c.key, func.count(), func.sum(deals.c.amount_cents))
        .add_columns(func.sum(deals.c.amount_cents * deals.c.probability))
        .where(deals.c.stage.in_(OPEN_STAGES), deals.c.expected_close.between(first, last))
        .group_by(expected, deals.c.key)
    )
    for period, key, count, amount, weighted in await session.execute(open_query):
        found[(str(period), key)] = [int(count), int(amount), round(int(weighted) / 100), 0]
    closed = _local_month(deals.c.closed_at, first, last, zone)
    start, end = buckets.bounds(first, last, zone)
    won_query = (
        select(closed, deals.c.key, func.count(), func.sum(deals.c.amount_cents))
        .where(deals.c.stage == "won", deals.c.closed_at >= start, deals.c.closed_at < end)
        .group_by(closed, deals.c.key)
    )
    for period, key, count, amount in await session.execute(won_query):
        sums = found.setdefault((str(period), key), [0, 0, 0, 0])
        sums[0] += int(count)
        sums[3] += int(amount)
    names = await _usernames(session, {key for _, key in found}) if by == "owner" else {}
    rows = [
        {"period": period, "key": names.get(key, NO_KEY) if by == "owner" else key}
        | dict(zip(("deals", "pipeline_cents", "weighted_cents", "won_cents"), sums, strict=True))
        for (period, key), sums in found.items()
    ]
    rows.sort(key=lambda r: (r["period"], r["key"]))
    note = (
        "Per month and "
        + ("owner" if by == "owner" else "product group (a deal counts under each group it holds)")
        + ": open deals expected to close then, in full (pipeline) and times their probability (weighted); won "
        "deals in full in the month they closed."
    )
    return Table(("period", "key", "deals", "pipeline_cents", "weighted_cents", "won_cents"), rows, note)


def _deals_keyed(session: AsyncSession, by: ForecastBy) -> Any:
    """Deals as the forecast reads them, each with the key it counts under: its owner's id, or each product group
    it holds (``NO_KEY`` for a product the catalogue lacks, or none)."""
    columns = (
        Opportunity.stage,
        Opportunity.amount_cents,
        Opportunity.probability,
        Opportunity.expected_close,
        Opportunity.closed_at,
    )
    if by == "owner":
        return select(*columns, Opportunity.owner_id.label("key")).subquery()
    elements = json_array_elements(session, Opportunity.products)
    return (
        select(Opportunity.id, *columns, func.coalesce(Product.group, NO_KEY).label("key"))
        .select_from(Opportunity)
        .outerjoin(elements, true())
        .outerjoin(Product, Product.sku == json_text(session, elements.c.value, "sku"))
        .distinct()  # once per group, however many of its products a deal holds
        .subquery()
    )


async def _usernames(session: AsyncSession, ids: set[Any]) -> dict[int, str]:
    wanted = [i for i in ids if i is not None]
    found = await session.execute(select(User.id, User.username).where(User.id.in_(wanted)))
    return {user_id: username for user_id, username in found}


def _local_month(instant: Any, first: dt.date, last: dt.date, zone: ZoneInfo) -> ColumnElement[str]:
    """YYYY-MM of the centre's month an instant of [first, last] falls in: compared with the instants where
    each month ends there, which reads alike in any database and needs no time-zone tables."""
    months = buckets.months_between(first, last)
    ends = [buckets.bounds(_month_start(m), _month_start(m), zone)[0] for m in months[1:]]
    if not ends:
        return literal(months[0])
    return case(*((instant < e, m) for e, m in zip(ends, months, strict=False)), else_=months[-1])


def _month_start(period: str) -> dt.date:
    return dt.date(int(period[:4]), int(period[5:]), 1)


async def take_forecast_snapshot(session: AsyncSession, today: dt.date) -> int:
    """Keep today's forecast of this month and the next eleven, once a day; how many months were kept (0: today's
    is kept already)."""
    if await session.scalar(select(func.count()).where(ForecastSnapshot.taken_on == today)):
        return 0
    first = today.replace(day=1)
    last = _add_months(first, FORECAST_MONTHS_AHEAD) - dt.timedelta(days=1)
    forecast = await open_forecast(session, first, last)
    months = buckets.months_between(first, last)
    for period in months:
        deals, pipeline, weighted = forecast.get(period, (0, 0, 0))
        session.add(
            ForecastSnapshot(
                taken_on=today, period=period, deals=deals, pipeline_cents=pipeline, weighted_cents=weighted
            )
        )
    return len(months)


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


async def forecast_vs_actual(session: AsyncSession, first: dt.date, last: dt.date, zone: ZoneInfo) -> Table:
    """Per month of [first, last]: the weighted forecast as it stood when the month began (the last snapshot
    taken before its first day, else the first taken in it), what was won in it, and what is still open."""
    months = buckets.months_between(first, last)
    start, end = buckets.bounds(first.replace(day=1), _add_months(last.replace(day=1), 1) - dt.timedelta(days=1), zone)
    closed = _local_month(Opportunity.closed_at, first, last, zone)
    won_query = (
        select(closed, func.count(), func.coalesce(func.sum(Opportunity.amount_cents), 0))
        .where(Opportunity.stage == "won", Opportunity.closed_at >= start, Opportunity.closed_at < end)
        .group_by(closed)
    )
    won = {str(month): [int(n), int(cents)] for month, n, cents in await session.execute(won_query)}
    still_open = await open_forecast(
        session, first.replace(day=1), _add_months(last.replace(day=1), 1) - dt.timedelta(days=1)
    )
    snapshots: dict[str, list[Any]] = {}  # (taken_on, weighted_cents) per month, oldest first: a year is 4 000
    kept_query = (
        select(ForecastSnapshot.period, ForecastSnapshot.taken_on, ForecastSnapshot.weighted_cents)
        .where(ForecastSnapshot.period.in_(months))
        .order_by(ForecastSnapshot.taken_on)
    )
    for kept_one in await session.execute(kept_query):
        snapshots.setdefault(kept_one.period, []).append(kept_one)
    rows = []
    for period in months:
        begins = _month_start(period)
        kept = snapshots.get(period, [])
        before = [s for s in kept if s.taken_on < begins]
        snap = before[-1] if before else (kept[0] if kept else None)
        won_deals, won_cents = won.get(period, [0, 0])
        forecast_cents = snap.weighted_cents if snap is not None else None
        rows.append(
            {
                "period": period,
                "forecast_cents": forecast_cents,
                "forecast_taken_on": snap.taken_on.isoformat() if snap is not None else None,
                "won_deals": won_deals,
                "won_cents": won_cents,
                "attainment": _ratio(won_cents, forecast_cents) if forecast_cents else None,
                "open_weighted_cents": still_open.get(period, (0, 0, 0))[2],
            }
        )
    note = (
        "Forecast: open deals' amounts times their probability, for the month they are expected to close, as it "
        "stood when the month began (kept once a day; the first kept in the month when none was kept before). "
        "Won: deals won in the month, in full. Still open: the weighted amount of deals still open for the month."
    )
    columns = (
        "period",
        "forecast_cents",
        "forecast_taken_on",
        "won_deals",
        "won_cents",
        "attainment",
        "open_weighted_cents",
    )
    return Table(columns, rows, note)


# -- lead sources -------------------------------------------------------------------------------------------
async def lead_sources(session: AsyncSession, start: dt.datetime, end: dt.datetime) -> Table:
    """The leads that came in [start, end) per source: how many, how good, how many became customers and won
    deals, and for how much."""
    in_period = and_(Lead.created_at >= start, Lead.created_at < end)
    counts = await session.execute(  # from the covering index ix_leads_created
        select(
            Lead.source,
            func.count(),
            func.sum(case((Lead.rating == "hot", 1), else_=0)),
            func.sum(case((Lead.rating == "warm", 1), else_=0)),
            func.sum(case((Lead.status == "disqualified", 1), else_=0)),
            func.sum(case((Lead.status == "converted", 1), else_=0)),
        )
        .where(in_period)
        .group_by(Lead.source)
    )
    # The flagged few from the partial index ix_leads_flagged, whose condition this is, word for word.
    flagged = dict(
        (
            await session.execute(
                select(Lead.source, func.count())
                .where(in_period, json_array_length(session, Lead.checks) > literal_column("0"))  # a literal, as there
                .group_by(Lead.source)
            )
        ).all()
    )
    wins = {
        source: (int(n), int(amount))
        for source, n, amount in await session.execute(
            select(Lead.source, func.count(Opportunity.id), func.coalesce(func.sum(Opportunity.amount_cents), 0))
            .join(Opportunity, Opportunity.customer_id == Lead.customer_id)
            .where(in_period, Lead.status == "converted", Opportunity.stage == "won")
            .group_by(Lead.source)
        )
    }
    rows = []
    for source, leads, hot, warm, disqualified, converted in counts:
        won, revenue = wins.get(source, (0, 0))
        rows.append(
            {
                "source": source,
                "leads": int(leads),
                "hot": int(hot or 0),
                "warm": int(warm or 0),
                "flagged": int(flagged.get(source, 0)),
                "disqualified": int(disqualified or 0),
                "converted": int(converted or 0),
                "conversion": _ratio(int(converted or 0), int(leads)),
                "won_deals": won,
                "won_cents": revenue,
            }
        )
    rows.sort(key=lambda r: (-r["won_cents"], -r["leads"], r["source"]))
    note = (
        "Leads that came in the period, by source. Flagged: a check on entry found something (a throw-away "
        "address, someone known already). Won: deals won by the customers these leads became."
    )
    columns = ("source", "leads", "hot", "warm", "flagged", "disqualified", "converted", "conversion", "won_deals")
    return Table((*columns, "won_cents"), rows, note)


# -- cases and their SLAs -----------------------------------------------------------------------------------
async def case_days(session: AsyncSession, first: dt.date, last: dt.date, zone: ZoneInfo, now: dt.datetime) -> Table:
    """Per day of [first, last]: cases opened, resolved, and of those resolved with a target, met and breached."""
    days = _local_days(first, last, zone)
    with_target = Case.sla_target_minutes.is_not(None)
    met = and_(with_target, Case.sla_used_seconds <= Case.sla_target_minutes * 60)
    breached = and_(with_target, Case.sla_used_seconds > Case.sla_target_minutes * 60)
    opened_then, resolved_then = _on_the_day(Case.created_at, days), _on_the_day(Case.resolved_at, days)
    counts = select(
        days.c.day,
        *(
            _count(*where)
            for where in ((opened_then,), (resolved_then,), (resolved_then, met), (resolved_then, breached))
        ),
    )
    found = {day: figures for day, *figures in await session.execute(counts)}
    rows: list[dict[str, Any]] = []
    for day in buckets.days_between(first, last):
        n_opened, n_resolved, n_met, n_breached = found[day.isoformat()]
        rows.append(
            {
                "day": day.isoformat(),
                "opened": n_opened,
                "resolved": n_resolved,
                "met": n_met,
                "breached": n_breached,
                "compliance": _ratio(n_met, n_met + n_breached),
            }
        )
    overdue = await session.scalar(
        select(func.count()).where(Case.resolved_at.is_(None), Case.sla_due_at.is_not(None), Case.sla_due_at < now)
    )
    total_met, total_breached = sum(r["met"] for r in rows), sum(r["breached"] for r in rows)
    summary = {"compliance": _ratio(total_met, total_met + total_breached), "open_past_due": int(overdue or 0)}
    note = (
        "Met: resolved within its SLA target in the business hours of its calendar (pauses while waiting on the "
        "customer not counted); breached: resolved after it. Compliance is met ÷ (met + breached)."
    )
    return Table(("day", "opened", "resolved", "met", "breached", "compliance"), rows, note, summary)


# -- churn risk -----------------------------------------------------------------------------------------------
CHURN_CANDIDATES = 200  # the customers with the most case trouble, scored in full


async def churn_risk(session: AsyncSession, now: dt.datetime) -> Table:
    """Customers who may be about to leave (``domain/analytics/churn.RULE``), highest risk first. The customers
    with a case in the window are ranked by what their cases alone say; the first ``CHURN_CANDIDATES`` are scored
    in full (their calls and orders read by customer, indexed), so the list costs the same at any size."""
    since = now - dt.timedelta(days=churn.WINDOW_DAYS)
    past_sla = or_(
        and_(Case.resolved_at.is_not(None), Case.sla_used_seconds > Case.sla_target_minutes * 60),
        and_(Case.resolved_at.is_(None), Case.sla_due_at < now),
    )
    cases_n, past_n = func.count(), func.sum(case((past_sla, 1), else_=0))
    case_score = case((cases_n >= 3, 30), (cases_n == 2, 20), else_=0) + case((past_n > 0, 25), else_=0)
    ranked = await session.execute(
        select(Case.customer_id, cases_n, past_n)
        .where(Case.created_at >= since, Case.customer_id.is_not(None))
        .group_by(Case.customer_id)
        .order_by(case_score.desc(), Case.customer_id)
        .limit(CHURN_CANDIDATES)
    )
    found = {int(customer): (int(n), int(past or 0)) for customer, n, past in ranked}
    ids = list(found)
    calls = {
        int(customer): (int(abandoned or 0), int(escalated or 0))
        for customer, abandoned, escalated in await session.execute(
            select(
                Activity.customer_id,
                func.sum(case((Activity.outcome == "abandoned", 1), else_=0)),
                func.sum(case((Activity.disposition == "escalated", 1), else_=0)),
            )
            .where(Activity.customer_id.in_(ids), Activity.started_at >= since, Activity.type == "call")
            .group_by(Activity.customer_id)
        )
    }
    last_orders = dict(
        (
            await session.execute(
                select(Order.customer_id, func.max(Order.placed_at))
                .where(Order.customer_id.in_(ids))
                .group_by(Order.customer_id)
            )
        ).all()
    )
    names = {
        row.id: row
        for row in await session.execute(
            select(Customer.id, Customer.first_name, Customer.last_name).where(Customer.id.in_(ids))
        )
    }
    rows: list[dict[str, Any]] = []
    for customer_id, (n_cases, n_past) in found.items():
        abandoned, escalated = calls.get(customer_id, (0, 0))
        last_order = last_orders.get(customer_id)
        history = churn.History(n_cases, n_past, abandoned, escalated, last_order)  # max() keeps the column's type
        found_risk = churn.risk(history, now)
        if found_risk.score < churn.LISTED_FROM:
            continue
        who = names.get(customer_id)
        rows.append(
            {
                "customer_id": customer_id,
                "name": f"{who.first_name} {who.last_name}".strip() if who is not None else "",
                "score": found_risk.score,
                "level": found_risk.level,
                "reasons": "; ".join(found_risk.reasons),
                "cases": n_cases,
                "past_sla": n_past,
            }
        )
    rows.sort(key=lambda r: (-r["score"], r["customer_id"]))
    columns = ("customer_id", "name", "score", "level", "reasons", "cases", "past_sla")
    return Table(columns, rows, churn.RULE, {"as_of": now.isoformat().replace("+00:00", "Z")})
