"""`contact-center campaign import CAMPAIGN FILE.csv`: good rows load, each bad one is named by line."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from sqlalchemy import select, update

from contact_center.store.engine import engine_for_url
from contact_center.store.tables import Campaign, DialingRecord

from .test_commands import cli

LIST = """phone,first_name,last_name,country,plan
(415) 555-0142,Maria,Garcia,,gold
212-555-0100,Sam,Lee,,silver
not a number,Bad,Row,,
,Empty,Phone,,
+1 212 555 0100,Same,Number,,
020 7946 0000,Ann,Jones,GB,
1,2,3,4,5,6
"""


def _records(tmp_path: Path) -> list[Any]:
    async def go() -> list[Any]:
        engine = engine_for_url(f"sqlite+aiosqlite:///{tmp_path}/cli.db")
        try:
            async with engine.connect() as conn:
                query = select(DialingRecord.number, DialingRecord.customer_id, DialingRecord.data, Campaign.name)
                return list((await conn.execute(query.join(Campaign).order_by(DialingRecord.id))).all())
        finally:
            await engine.dispose()

    return asyncio.run(go())


def test_a_list_loads_its_good_rows_and_names_each_bad_one(tmp_path: Path) -> None:
    assert cli(tmp_path, "seed", "--customers", "10").returncode == 0
    path = tmp_path / "spring.csv"
    path.write_text(LIST)
    loaded = cli(tmp_path, "campaign", "import", "Spring upsell", str(path), "--region", "US")
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stderr.splitlines() == [
        f"{path}:4: 'not a number' is not a phone number",
        f"{path}:5: phone is empty",
        f"{path}:6: +12125550100 is already on the list (skipped)",
        f"{path}:8: 6 values for 5 columns",
    ]
    assert "loaded 3 record(s), 1 of them known customers" in loaded.stdout and "new campaign" in loaded.stdout
    rows = _records(tmp_path)
    assert [r.number for r in rows] == ["+14155550142", "+12125550100", "+442079460000"]
    assert rows[0].customer_id is not None and rows[1].customer_id is None  # Maria is a customer already
    assert rows[0].data == {"plan": "gold"} and {r.name for r in rows} == {"Spring upsell"}

    again = cli(tmp_path, "campaign", "import", "Spring upsell", str(path))
    assert again.returncode == 1  # nothing new: every number is on the list already
    assert "already on the list" in again.stderr and len(_records(tmp_path)) == 3
    missing = cli(tmp_path, "campaign", "import", "Spring upsell", str(tmp_path / "none.csv"))
    assert missing.returncode == 2 and "none.csv:1: no such file" in missing.stderr
    (tmp_path / "nophone.csv").write_text("name,city\nA,B\n")
    headless = cli(tmp_path, "campaign", "import", "Spring upsell", str(tmp_path / "nophone.csv"))
    assert headless.returncode == 1 and "nophone.csv:1: no phone column" in headless.stderr


def test_a_list_is_recycled_and_reset(tmp_path: Path) -> None:
    assert cli(tmp_path, "seed", "--customers", "10").returncode == 0
    path = tmp_path / "spring.csv"
    path.write_text(LIST)
    assert cli(tmp_path, "campaign", "import", "Spring upsell", str(path)).returncode == 0

    async def ended() -> None:  # three records whose attempts are used: busy, a machine, a sale
        engine = engine_for_url(f"sqlite+aiosqlite:///{tmp_path}/cli.db")
        try:
            async with engine.begin() as conn:
                rows = (await conn.execute(select(DialingRecord.id).order_by(DialingRecord.id))).scalars().all()
                for record_id, data in zip(
                    rows,
                    ({"last_result": "busy"}, {"last_result": "answering_machine"}, {"disposition": "sale"}),
                    strict=True,
                ):
                    await conn.execute(
                        update(DialingRecord)
                        .where(DialingRecord.id == record_id)
                        .values(status="done", attempts=3, data=data)
                    )
        finally:
            await engine.dispose()

    asyncio.run(ended())
    only_busy = cli(tmp_path, "campaign", "recycle", "Spring upsell", "--results", "busy")
    assert only_busy.returncode == 0 and "1 record(s) recycled" in only_busy.stdout
    rest = cli(tmp_path, "campaign", "recycle", "Spring upsell")
    assert rest.returncode == 0 and "1 record(s) recycled" in rest.stdout  # the machine; the sale stays done
    assert cli(tmp_path, "campaign", "recycle", "Spring upsell", "--results", "sale").returncode == 2
    assert "no campaign 'Nope'" in cli(tmp_path, "campaign", "recycle", "Nope").stderr
    reset = cli(tmp_path, "campaign", "reset", "Spring upsell")
    assert reset.returncode == 0 and "3 record(s) reset to new" in reset.stdout


def test_a_priority_column_orders_the_list_and_a_bad_priority_is_named(tmp_path: Path) -> None:
    assert cli(tmp_path, "seed", "--customers", "1").returncode == 0
    path = tmp_path / "priorities.csv"
    path.write_text("phone,first_name,priority\n212-555-0101,Low,\n212-555-0102,High,90\n212-555-0103,Bad,high\n")
    loaded = cli(tmp_path, "campaign", "import", "Ordered", str(path), "--region", "US")
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stderr.splitlines() == [f"{path}:4: priority 'high' is not a whole number from 0 to 100"]

    async def priorities() -> dict[str, int]:
        engine = engine_for_url(f"sqlite+aiosqlite:///{tmp_path}/cli.db")
        try:
            async with engine.connect() as conn:
                rows = await conn.execute(select(DialingRecord.first_name, DialingRecord.priority))
                return {name: priority for name, priority in rows.all()}
        finally:
            await engine.dispose()

    assert asyncio.run(priorities()) == {"Low": 0, "High": 90}
