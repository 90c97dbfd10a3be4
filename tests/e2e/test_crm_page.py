"""The CRM page in Chromium: an agent creates and edits a customer (errors shown per field), adds a note,
opens a case and moves it; a supervisor works the case, lead and opportunity lists."""

from __future__ import annotations

import datetime as dt
from typing import Any

from playwright.async_api import Page, expect
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.crm.cases import create_case
from contact_center.crm.customers import create_customer
from contact_center.crm.schemas import CaseCreate, CustomerCreate
from contact_center.store.engine import session_factory

from .conftest import Desktop, Site, log_in


async def api_get(page: Page, path: str) -> Any:
    return await page.evaluate("(path) => api.get(path)", path)


async def open_crm(page: Page, site: Site, username: str) -> None:
    await log_in(page, site.base, "/crm", username)
    await expect(page.locator("#crm")).to_have_attribute("data-ready", "true")


async def test_an_agent_creates_and_edits_a_customer_adds_a_note_and_works_a_case(
    site: Site, desktop: Desktop, make_user: Any
) -> None:
    await make_user("alice")
    page = desktop.page
    await open_crm(page, site, "alice")
    await page.click("#new-customer")
    form = page.locator("#customer-form")
    await form.locator("[name=last_name]").fill("Lovelace")
    await form.locator(".phone-number").fill("12")
    await page.click("#add-phone")
    await form.locator(".phone-number").nth(1).fill("+44 20 7946 0000")
    await form.locator("[name=emails]").fill("ada@example.com, nope")
    await form.locator("button[type=submit]").click()
    # One answer from the API, every bad field marked where it is.
    await expect(form.locator('[data-error-for="first_name"]')).to_be_visible()
    await expect(form.locator('[data-error-for="phones.0"]')).to_contain_text("wrong number of digits")
    await expect(form.locator('[data-error-for="emails.1"]')).to_contain_text("#2:")
    await expect(form.locator('[name=first_name][aria-invalid="true"]')).to_have_count(1)

    await form.locator("[name=first_name]").fill("Ada")
    await form.locator(".phone-number").first.fill("(415) 555-0199")
    await form.locator("[name=emails]").fill("ada@example.com")
    await form.locator("[name=address_city]").fill("London")
    await form.locator("button[type=submit]").click()
    await expect(page.locator("#customer-name")).to_contain_text("Ada Lovelace")
    await expect(page.locator("#customer-contact")).to_contain_text("+14155550199 (mobile), +442079460000 (mobile)")

    await page.fill("#note-form textarea", "Prefers calls after 3 pm")
    await page.click("#note-form button[type=submit]")
    await expect(page.locator('#timeline tr[data-type="note"]')).to_contain_text("Prefers calls after 3 pm")

    await page.fill("#case-form [name=subject]", "Router keeps dropping")
    await page.select_option("#case-form [name=priority]", "high")
    await page.click("#case-form button[type=submit]")
    row = page.locator("#open-cases tr", has_text="Router keeps dropping")
    await expect(row).to_have_count(1)
    number = await row.locator("td").first.inner_text()
    await page.select_option(f'select[aria-label="Status of case {number}"]', "pending_customer")
    await expect(page.locator('#timeline tr[data-type="case_change"]')).to_contain_text("new → pending_customer")
    await expect(page.locator(f'select[aria-label="Status of case {number}"]')).to_have_value("pending_customer")

    await page.click("#edit-customer")
    await page.fill("#customer-form [name=last_name]", "King")
    await page.click("#customer-form button[type=submit]")
    await expect(page.locator("#customer-name")).to_contain_text("Ada King")
    found = await api_get(page, "/api/v1/customers?phone=%2B442079460000")
    [ada] = found["items"]
    assert (ada["first_name"], ada["last_name"], ada["address"]["city"]) == ("Ada", "King", "London")
    [case] = (await api_get(page, f"/api/v1/cases?customer_id={ada['id']}"))["items"]
    assert (case["status"], case["priority"]) == ("pending_customer", "high")


async def test_a_supervisor_filters_cases_and_works_leads_and_opportunities(
    site: Site, desktop: Desktop, make_user: Any, engine: AsyncEngine
) -> None:
    await make_user("sue", "supervisor")
    now = dt.datetime.now(dt.UTC)
    async with session_factory(engine).begin() as session:
        late = await create_case(
            session, CaseCreate(subject="Waiting too long", sla_target_minutes=60), now - dt.timedelta(hours=3)
        )
        grace = await create_customer(session, CustomerCreate(first_name="Grace", last_name="Hopper"), "US")
        await create_case(session, CaseCreate(subject="Just in", customer_id=grace.id), now)
        await create_case(session, CaseCreate(subject="Done already", status="closed"), now)
    page = desktop.page
    await open_crm(page, site, "sue")
    await page.click("[data-tab=cases]")
    cases = page.locator("#case-list tr[data-id]")
    await expect(cases).to_have_count(2)  # open only, by default
    await page.click("#case-list button:has-text('Grace Hopper')")  # the case's customer, by name
    await expect(page.locator("#customer-name")).to_contain_text("Grace Hopper")
    await page.click("[data-tab=cases]")
    await page.check("#case-filters [name=breached]")
    await expect(cases).to_have_count(1)
    await expect(cases.first).to_contain_text("Waiting too long")
    await expect(cases.first).to_contain_text("breached")
    await page.select_option(f'select[aria-label="Priority of case {late.number}"]', "urgent")
    await expect(page.locator("#toast")).to_contain_text("urgent")
    assert (await api_get(page, f"/api/v1/cases/{late.id}"))["priority"] == "urgent"
    bob = await make_user("bob", "agent", display_name="Bob Builder")
    await page.reload()  # the people the page offers are read as it opens
    await expect(page.locator("#crm")).to_have_attribute("data-ready", "true")
    await page.click("[data-tab=cases]")
    await page.select_option(f'select[aria-label="Owner of case {late.number}"]', str(bob.user_id))
    await expect(page.locator("#toast")).to_contain_text("given to Bob Builder")
    assert (await api_get(page, f"/api/v1/cases/{late.id}"))["owner_id"] == bob.user_id
    changes = await api_get(page, f"/api/v1/activities?case_id={late.id}")
    assert any("owner" in a["subject"] for a in changes["items"])  # the reassignment is on the timeline

    await page.click("[data-tab=leads]")
    await page.fill("#lead-form [name=last_name]", "Ng")
    await page.fill("#lead-form [name=phone]", "12")
    await page.click("#lead-form button[type=submit]")
    await expect(page.locator('#lead-form [data-error-for="phone"]')).to_be_visible()
    await page.fill("#lead-form [name=phone]", "(212) 555-0101")
    await page.click("#lead-form button[type=submit]")
    leads = page.locator("#lead-list tr[data-id]")
    await expect(leads).to_have_count(1)
    await expect(leads.first).to_contain_text("+12125550101")
    await page.select_option('select[aria-label="Temperature of Ng"]', "hot")
    await expect(page.locator("#toast")).to_contain_text("hot")
    [lead] = (await api_get(page, "/api/v1/leads?rating=hot"))["items"]
    assert lead["last_name"] == "Ng"

    opp = await page.evaluate("api.post('/api/v1/opportunities', {name: 'Fleet renewal', amount_cents: 500000})")
    await page.click("[data-tab=opportunities]")
    await page.select_option('select[aria-label="Stage of Fleet renewal"]', "won")
    await expect(page.locator("#toast")).to_contain_text("Stage of Fleet renewal: won")
    won = await api_get(page, f"/api/v1/opportunities/{opp['id']}")
    assert won["stage"] == "won" and won["closed_at"] is not None
    [change] = (await api_get(page, f"/api/v1/activities?opportunity_id={opp['id']}"))["items"]
    assert change["type"] == "opportunity_change"
    await page.select_option("#opportunity-filters [name=stage]", "proposal")
    await expect(page.locator("#opportunity-list tr[data-id]")).to_have_count(0)


async def test_accounts_are_listed_added_and_edited(site: Site, desktop: Desktop, make_user: Any) -> None:
    await make_user("alice")
    page = desktop.page
    await open_crm(page, site, "alice")
    await page.click("[data-tab=accounts]")
    form = page.locator("#account-form")
    await form.locator("[name=name]").fill("Globex")
    await form.locator("[name=timezone]").fill("Mars/Olympus")
    await page.click("#account-save")
    await expect(form.locator("[data-error-for=timezone]")).to_be_visible()  # refused beside the field
    await form.locator("[name=timezone]").fill("Europe/Berlin")
    await form.locator("[name=phone]").fill("+49 30 901820")
    await page.click("#account-save")
    row = page.locator("#account-list tr", has_text="Globex")
    await expect(row).to_contain_text("Europe/Berlin")
    await expect(row).to_contain_text("+4930901820")

    await row.locator("button.link").click()
    await form.locator("[name=industry]").fill("Energy")
    await page.click("#account-save")
    await expect(page.locator("#account-list tr", has_text="Globex")).to_contain_text("Energy")
    accounts = await api_get(page, "/api/v1/accounts?q=Glob")
    assert [a["industry"] for a in accounts["items"]] == ["Energy"]  # changed, not added twice
