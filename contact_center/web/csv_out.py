"""Tables as CSV: every report and analytics table can be had as a spreadsheet (``format=csv``)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from aiohttp import web

from contact_center.crm.errors import FieldError, ValidationFailed

FORMATS = ("json", "csv")


def output_format(request: web.Request, errors: list[FieldError]) -> str:
    """``format`` of the query: json (the default) or csv; another is added to ``errors``."""
    form = request.query.get("format", "json")
    if form not in FORMATS:
        errors.append(FieldError("format", "use json or csv"))
    return form


def format_only(request: web.Request) -> str:
    """``format`` when it is the only query parameter read: json or csv, else a 422 naming it."""
    errors: list[FieldError] = []
    form = output_format(request, errors)
    if errors:
        raise ValidationFailed(errors)
    return form


def csv_response(columns: Sequence[str], rows: Iterable[Mapping[str, Any]], filename: str) -> web.Response:
    """``rows`` as CSV with ``columns`` as the header, in that order (see ``cell``)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([cell(row.get(c)) for c in columns])
    return web.Response(
        text=out.getvalue(),
        content_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def cell(value: Any) -> str:
    """A figure as a spreadsheet reads it: nothing for a missing one, ratios to four places."""
    if value is None:
        return ""
    return f"{value:.4f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)
