"""Dialing lists from CSV: each row a number to call for a campaign, normalised to E.164 in the list's
region, de-duplicated (within the file and against what the campaign has), matched to a known customer
by that number. A bad row is reported as ``FILE:LINE: reason`` and the good rows still load. An optional
``priority`` column (0-100, higher first) orders the records within the campaign; any other column is kept
with the record and shown to the agent."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from contact_center.crm.importer import csv_records
from contact_center.crm.phones import try_e164
from contact_center.store.tables import Campaign, DialingRecord, Phone

NUMBER_COLUMNS = ("phone", "number", "phone_number", "mobile")
NAME_COLUMNS = ("first_name", "last_name")
MAX_PRIORITY = 100  # an optional "priority" column: higher is dialled first


@dataclass
class ListImport:
    campaign: str
    created_campaign: bool = False
    loaded: int = 0
    duplicates: int = 0
    matched_customers: int = 0
    problems: list[str] = field(default_factory=list)  # "FILE:LINE: reason", in line order
    found: list[tuple[int, str]] = field(default_factory=list)  # (line, "FILE:LINE: reason") as the checks find them

    def refuse(self, file: str, line: int, reason: str) -> None:
        self.found.append((line, f"{file}:{line}: {reason}"))


async def import_list(session: AsyncSession, campaign_name: str, path: Path, region: str) -> ListImport:
    """Load ``path`` into the campaign's list (the campaign is made, as a draft in preview mode, if new)."""
    result = ListImport(campaign_name)
    campaign = (await session.scalars(select(Campaign).where(Campaign.name == campaign_name))).first()
    if campaign is None:
        campaign = Campaign(name=campaign_name, mode="preview", status="draft")
        session.add(campaign)
        await session.flush()
        result.created_campaign = True
    known = set(
        (await session.scalars(select(DialingRecord.number).where(DialingRecord.campaign_id == campaign.id))).all()
    )
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = list(_rows(handle, str(path), result, region))
    numbers = {number for _, number, _ in rows}
    owners: dict[str, int] = {}
    for chunk in _chunks(sorted(numbers), 500):
        query = select(Phone.e164, Phone.customer_id).where(Phone.e164.in_(chunk), Phone.customer_id.is_not(None))
        for e164, customer_id in (await session.execute(query)).all():
            if customer_id is not None:
                owners.setdefault(e164, customer_id)
    for line, number, row in rows:
        if number in known:
            result.duplicates += 1
            result.refuse(str(path), line, f"{number} is already on the list (skipped)")
            continue
        known.add(number)
        customer_id = owners.get(number)
        result.matched_customers += customer_id is not None
        priority = row.get("priority", "").strip() or "0"
        if not priority.isdigit() or int(priority) > MAX_PRIORITY:
            result.refuse(str(path), line, f"priority {priority!r} is not a whole number from 0 to {MAX_PRIORITY}")
            continue
        extra = {k: v for k, v in row.items() if k not in (*NUMBER_COLUMNS, *NAME_COLUMNS, "priority") and v}
        session.add(
            DialingRecord(
                campaign_id=campaign.id,
                number=number,
                first_name=row.get("first_name", "")[:100],
                last_name=row.get("last_name", "")[:100],
                customer_id=customer_id,
                data=extra,
                priority=int(priority),
                source=f"{path.name}:{line}"[:300],
            )
        )
        result.loaded += 1
    await session.flush()
    result.problems = [text for _, text in sorted(result.found, key=lambda found: found[0])]  # the file's order
    return result


def _rows(handle: Any, file: str, result: ListImport, region: str) -> Iterator[tuple[int, str, dict[str, str]]]:
    records = csv_records(handle)
    first = next(records, None)
    if first is None or isinstance(first[1], csv.Error):
        result.refuse(file, 1, "the first line must be a header naming the columns (phone, first_name, ...)")
        return
    header = [name.strip().lower() for name in first[1]]
    column = next((c for c in NUMBER_COLUMNS if c in header), None)
    if column is None:
        result.refuse(file, 1, f"no phone column (name one of: {', '.join(NUMBER_COLUMNS)})")
        return
    for line, record in records:
        if isinstance(record, csv.Error):
            result.refuse(file, line, f"not valid CSV ({record})")
            continue
        if len(record) > len(header):
            result.refuse(file, line, f"{len(record)} values for {len(header)} columns")
            continue
        row = {name: value.strip() for name, value in zip(header, record, strict=False)}
        raw = row.get(column, "")
        number = try_e164(raw, row_region(region, row)) if raw else None
        if not raw:
            result.refuse(file, line, f"{column} is empty")
        elif number is None:
            result.refuse(file, line, f"{raw!r} is not a phone number")
        else:
            yield line, number, row


def row_region(default: str, row: dict[str, str]) -> str:
    """A row may name its own country (``country``: two letters); else the list's region."""
    country = row.get("country", "").upper()
    return country if len(country) == 2 and country.isalpha() else default


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
