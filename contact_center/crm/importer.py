"""Import customers from CSV: good rows are kept, each bad row is reported with its line number and reason."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from contact_center.crm.customers import create_customer
from contact_center.crm.errors import ValidationFailed
from contact_center.crm.schemas import CustomerCreate

REQUIRED = ("first_name", "last_name")
LIST_COLUMNS = {"phones": "phones", "phone": "phones", "emails": "emails", "email": "emails", "tags": "tags"}
ADDRESS_COLUMNS = ("street", "city", "region", "postal_code")
BATCH = 500


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str


@dataclass
class ImportReport:
    imported: int = 0
    errors: list[RowError] = field(default_factory=list)


def _rows(handle: TextIO) -> Iterator[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(handle)
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise ValueError(f"line 1: the header lacks column(s) {', '.join(missing)}")
    for row in reader:
        yield reader.line_num, row


def to_customer(row: dict[str, str], region: str | None = None) -> CustomerCreate:
    """One CSV row as a customer; list columns hold values separated by ';'."""
    data: dict[str, Any] = {"address": {}}
    for column, raw in row.items():
        if column is None:
            raise ValidationFailed.one("row", "has more values than the header has columns")
        value = (raw or "").strip()
        if not value:
            continue
        if column in LIST_COLUMNS:
            data.setdefault(LIST_COLUMNS[column], []).extend(v.strip() for v in value.split(";") if v.strip())
        elif column in ADDRESS_COLUMNS:
            data["address"][column] = value
        elif column == "vip":
            data["vip"] = value.lower() in ("1", "true", "yes", "y")
        elif column == "country":
            data["country"] = value.upper()
            data["address"]["country"] = value.upper()
        else:
            data[column] = value
    return CustomerCreate.model_validate(data, context={"region": region} if region else None)


def _reason(exc: ValidationError | ValidationFailed) -> str:
    if isinstance(exc, ValidationFailed):
        return str(exc)
    return "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())


async def import_customers(
    sessions: async_sessionmaker[AsyncSession],
    path: Path,
    region: str,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    report = ImportReport()
    with path.open(newline="", encoding="utf-8-sig") as handle:
        batch: list[tuple[int, CustomerCreate]] = []
        for line, row in _rows(handle):
            try:
                batch.append((line, to_customer(row, region)))
            except (ValidationError, ValidationFailed) as exc:
                report.errors.append(RowError(line, _reason(exc)))
            if len(batch) >= BATCH:
                await _write(sessions, batch, region, report)
                batch = []
                if progress:
                    progress(report.imported + len(report.errors))
        await _write(sessions, batch, region, report)
    if progress:
        progress(report.imported + len(report.errors))
    return report


async def _write(sessions: async_sessionmaker[AsyncSession], batch: list[tuple[int, CustomerCreate]], region: str,
                 report: ImportReport) -> None:  # fmt: skip
    # One transaction per batch, one savepoint per row: a bad row never takes good ones with it.
    async with sessions.begin() as session:
        for line, data in batch:
            try:
                async with session.begin_nested():
                    await create_customer(session, data, region)
                report.imported += 1
            except ValidationFailed as exc:
                report.errors.append(RowError(line, _reason(exc)))
