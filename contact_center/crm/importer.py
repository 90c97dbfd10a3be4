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


def csv_records(handle: TextIO) -> Iterator[tuple[int, list[str] | csv.Error]]:
    """Each CSV record with the line it starts on (a quoted field may span lines); blank lines skipped."""
    reader = csv.reader(handle)
    while True:
        start = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield start, exc
            continue
        if record:
            yield start, record


def count_records(path: Path) -> int:
    """How many records follow the header: what the progress total counts."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return max(0, sum(1 for _ in csv_records(handle)) - 1)


def csv_rows(handle: TextIO, required: tuple[str, ...] = REQUIRED) -> Iterator[tuple[int, dict[str, str] | csv.Error]]:
    """Each record after the header as {column: value} with its line; the header must name ``required``."""
    records = csv_records(handle)
    first = next(records, None)
    header = first[1] if first is not None else []
    if isinstance(header, csv.Error):
        raise ValueError(f"line 1: the header is not valid CSV ({header})")
    header = [name.strip() for name in header]
    missing = [c for c in required if c not in header]
    if missing:
        raise ValueError(f"line 1: the header lacks column(s) {', '.join(missing)}")
    for line, record in records:
        if isinstance(record, csv.Error):
            yield line, record
            continue
        row: dict[Any, str] = dict(zip(header, record, strict=False))
        if len(record) > len(header):
            row[None] = ""  # more values than columns: to_customer refuses the row
        yield line, row


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


def reason_of(exc: ValidationError | ValidationFailed) -> str:
    if isinstance(exc, ValidationFailed):
        return str(exc)
    said = []
    for e in exc.errors():
        where = ".".join(str(p) for p in e["loc"])
        message = e["msg"].removeprefix("Value error, ")  # pydantic's wording for what a validator raised
        said.append(f"{where}: {message}" if where else message)
    return "; ".join(said)


async def import_customers(
    sessions: async_sessionmaker[AsyncSession],
    path: Path,
    region: str,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    report = ImportReport()
    with path.open(newline="", encoding="utf-8-sig") as handle:
        batch: list[tuple[int, CustomerCreate]] = []
        for line, row in csv_rows(handle):
            if isinstance(row, csv.Error):
                report.errors.append(RowError(line, f"not valid CSV: {row}"))
                continue
            try:
                batch.append((line, to_customer(row, region)))
            except (ValidationError, ValidationFailed) as exc:
                report.errors.append(RowError(line, reason_of(exc)))
            if len(batch) >= BATCH:
                await _write(sessions, batch, region, report)
                batch = []
                if progress:
                    progress(report.imported + len(report.errors))
        await _write(sessions, batch, region, report)
    if progress:
        progress(report.imported + len(report.errors))
    # Rows refused on validation are found as they are read, rows the database refuses when their batch
    # is written: sorted, the report reads top to bottom like the file.
    report.errors.sort(key=lambda e: e.line)
    return report


async def _write(
    sessions: async_sessionmaker[AsyncSession],
    batch: list[tuple[int, CustomerCreate]],
    region: str,
    report: ImportReport,
) -> None:
    # One transaction per batch, one savepoint per row: a bad row never takes good ones with it.
    async with sessions.begin() as session:
        for line, data in batch:
            try:
                async with session.begin_nested():
                    await create_customer(session, data, region)
                report.imported += 1
            except ValidationFailed as exc:
                report.errors.append(RowError(line, reason_of(exc)))
