"""`contact-center import leads FILE.csv`: each row checked, scored and assigned as from the web form, with the
file's source; bad rows named by line, someone known already skipped (their timeline notes it), the rest kept."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from sqlalchemy import select

from contact_center.store.engine import engine_for_url
from contact_center.store.tables import Activity, Lead

from .test_commands import cli

FAIR = """first_name,last_name,company,email,phone,notes
Ana,Lind,Lind Heating,ana@lindheating.example,(415) 555-0101,Wants a heat pump quote before winter
Bo,Berg,,bo@mailinator.com,,
Cy,Cole,,,not a number,
Di,Dahl,,,,
Ana,Lind,,,415-555-0101,
,Nameless,,x@example.com,,
"""


def _leads(tmp_path: Path) -> tuple[list[Any], list[Any]]:
    async def go() -> tuple[list[Any], list[Any]]:
        engine = engine_for_url(f"sqlite+aiosqlite:///{tmp_path}/cli.db")
        try:
            async with engine.connect() as conn:
                leads = (await conn.execute(select(Lead).where(Lead.source == "spring-fair").order_by(Lead.id))).all()
                notes = (await conn.execute(select(Activity).where(Activity.lead_id.is_not(None)))).all()
                return list(leads), list(notes)
        finally:
            await engine.dispose()

    return asyncio.run(go())


def test_a_fairs_visitors_become_scored_leads_and_each_bad_row_is_named(tmp_path: Path) -> None:
    assert cli(tmp_path, "seed", "--customers", "5").returncode == 0
    path = tmp_path / "fair.csv"
    path.write_text(FAIR)
    done = cli(tmp_path, "import", "leads", str(path), "--source", "spring-fair")
    assert done.returncode == 1, done.stderr  # some rows were refused
    said = [line for line in done.stderr.splitlines() if not line.startswith("importing ")]  # progress
    assert said[:2] == [
        f"{path}:4: phone: 'not a number' is not a phone number ((1) The string supplied did not seem to be a "
        "phone number.)",
        f"{path}:5: give a phone number or an e-mail address, so that we can get back to you",
    ], said
    assert said[2].startswith(f"{path}:6: lead ") and said[2].endswith("(skipped; noted on its timeline)")
    assert "imported 3 leads" in done.stdout and "1 known already, 2 row(s) rejected" in done.stdout
    leads, notes = _leads(tmp_path)
    ana, bo, nameless = leads
    assert (ana.last_name, ana.source, ana.phone, ana.company) == (
        "Lind",
        "spring-fair",
        "+14155550101",
        "Lind Heating",
    )
    assert ana.rating == "hot" and ana.owner_id is not None  # phone, e-mail, company, a message: assigned
    assert [c["code"] for c in bo.checks] == ["disposable_email"] and bo.rating == "cold"
    assert nameless.first_name == "" and nameless.email == "x@example.com"
    subjects = sorted(n.subject for n in notes)
    assert subjects[0].startswith("In an import again (spring-fair): Ana Lind")
    assert sum(s.startswith("Lead imported (spring-fair)") for s in subjects) == 3

    missing = cli(tmp_path, "import", "leads", str(path), "--campaign", "999")
    assert missing.returncode == 2 and "no marketing campaign 999" in missing.stderr
    (tmp_path / "nameless.csv").write_text("first_name,phone\nA,4155550199\n")
    headless = cli(tmp_path, "import", "leads", str(tmp_path / "nameless.csv"))
    assert headless.returncode == 2 and "line 1: the header lacks column(s) last_name" in headless.stderr
