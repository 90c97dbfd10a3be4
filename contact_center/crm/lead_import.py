"""Leads from a file (a trade fair's visitors, a bought list): each row checked, scored and assigned as a lead
from the web form is (``crm/lead_intake.py``), with the file's source and campaign. A bad row is reported with
its line and reason and the rest are kept; someone who is a lead already is not made twice (their timeline
notes they came again) and is reported as skipped."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from contact_center.crm.errors import ValidationFailed
from contact_center.crm.importer import RowError, csv_rows, reason_of
from contact_center.crm.lead_intake import Channel, take_lead
from contact_center.crm.schemas import WebLeadIn
from contact_center.store.tables import MarketingCampaign

COLUMNS = ("first_name", "last_name", "company", "email", "phone", "message")
BATCH = 200


@dataclass
class LeadImportReport:
    imported: int = 0
    skipped: list[RowError] = field(default_factory=list)  # leads we have already
    errors: list[RowError] = field(default_factory=list)


def channel_for(source: str) -> Channel:
    return Channel(source, "note", "system", f"Lead imported ({source})", f"In an import again ({source})")


async def import_leads(
    sessions: async_sessionmaker[AsyncSession],
    path: Path,
    *,
    region: str,
    sales_queue: str,
    now: dt.datetime,
    source: str = "import",
    campaign_id: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> LeadImportReport:
    """Raises ``ValueError`` for a file that cannot be read as leads at all (its header), or an unknown campaign."""
    if campaign_id is not None:
        async with sessions() as session:
            if await session.get(MarketingCampaign, campaign_id) is None:
                raise ValueError(f"no marketing campaign {campaign_id}")
    report = LeadImportReport()
    channel = channel_for(source)
    with path.open(newline="", encoding="utf-8-sig") as handle:
        batch: list[tuple[int, WebLeadIn]] = []
        for line, row in csv_rows(handle, required=("last_name",)):
            if isinstance(row, csv.Error):
                report.errors.append(RowError(line, f"not valid CSV: {row}"))
                continue
            try:
                batch.append((line, _lead(row, region)))
            except (ValidationError, ValidationFailed) as exc:
                report.errors.append(RowError(line, reason_of(exc)))
            if len(batch) >= BATCH:
                await _write(sessions, batch, now, sales_queue, channel, campaign_id, report)
                batch = []
                if progress:
                    progress(report.imported + len(report.skipped) + len(report.errors))
        await _write(sessions, batch, now, sales_queue, channel, campaign_id, report)
    if progress:
        progress(report.imported + len(report.skipped) + len(report.errors))
    report.errors.sort(key=lambda e: e.line)
    return report


def _lead(row: dict[str, str], region: str) -> WebLeadIn:
    data: dict[str, str] = {}
    for column, raw in row.items():
        if column is None:
            raise ValidationFailed.one("row", "has more values than the header has columns")
        value = (raw or "").strip()
        if column == "notes":
            column = "message"
        if value and column in COLUMNS:
            data[column] = value
    return WebLeadIn.model_validate(data, context={"region": region})


async def _write(
    sessions: async_sessionmaker[AsyncSession],
    batch: list[tuple[int, WebLeadIn]],
    now: dt.datetime,
    sales_queue: str,
    channel: Channel,
    campaign_id: int | None,
    report: LeadImportReport,
) -> None:
    if not batch:
        return
    async with sessions.begin() as session:
        for line, form in batch:
            intake = await take_lead(session, form, now, sales_queue, channel, campaign_id)
            if intake.created:
                report.imported += 1
            else:
                report.skipped.append(RowError(line, f"lead {intake.lead.id} has this phone or e-mail already"))
