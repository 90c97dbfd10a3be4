"""Marketing e-mail out: the targets whose campaign e-mail is queued are sent it, one at a time, each with a link
(and a List-Unsubscribe header, RFC 8058 one-click) to receive no more; an address that opted out meanwhile is
not sent. Each target is marked sent or failed (with the reason) as it goes, so a restart goes on where it
stopped; a crash between a send and its mark may send that one e-mail twice, never skip one.

With several nodes only the node whose routing decides (``leading``) sends, so nothing is sent twice."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from urllib.parse import urlencode

from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.clock import Clock
from contact_center.crm import campaign_targets
from contact_center.mail import Mailer
from contact_center.store.engine import session_factory

log = logging.getLogger(__name__)
IDLE_SECONDS = 60.0  # looked at again this often when nobody wakes it (a restart with mail still queued)


class CampaignMailSender:
    def __init__(
        self,
        *,
        engine: AsyncEngine,
        clock: Clock,
        mailer: Mailer,
        secret: str,
        base_url: str,
        leading: Callable[[], bool] = lambda: True,
    ) -> None:
        self.sessions = session_factory(engine)
        self.clock, self.mailer, self.secret, self.base_url, self.leading = clock, mailer, secret, base_url, leading
        self._wake = asyncio.Event()
        self._loop: asyncio.Task[None] | None = None

    def wake(self) -> None:
        """Something was queued: send it now rather than at the next look."""
        self._wake.set()

    async def start(self) -> None:
        self._loop = asyncio.create_task(self._run(), name="campaign-mail")

    async def stop(self) -> None:
        if self._loop is not None:
            self._loop.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._loop

    async def _run(self) -> None:
        while True:
            try:
                if self.leading():
                    await self.send_queued()
            except Exception:
                log.exception("sending campaign e-mail failed; trying again in %.0f s", IDLE_SECONDS)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), IDLE_SECONDS)
            self._wake.clear()

    def unsubscribe_link(self, email: str, campaign_id: int) -> str:
        query = urlencode({"e": email, "t": campaign_targets.unsubscribe_token(self.secret, email), "c": campaign_id})
        return f"{self.base_url}/unsubscribe?{query}"

    async def send_queued(self) -> int:
        """Send everything queued; how many were sent."""
        sent = 0
        while True:
            async with self.sessions() as session:
                batch = await campaign_targets.next_mail(session)
            if not batch:
                return sent
            for mail in batch:
                sent += await self._send_one(mail)

    async def _send_one(self, mail: campaign_targets.Outgoing) -> int:
        async with self.sessions.begin() as session:
            if await campaign_targets.has_opted_out(session, mail.to):
                await campaign_targets.opt_out(session, mail.to, None, self.clock.now())
                return 0
        link = self.unsubscribe_link(mail.to, mail.campaign_id)
        body = f"{mail.body}\n\n--\nTo receive no more e-mail like this: {link}\n"
        headers = {"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
        error = None
        try:
            await self.mailer.send(mail.to, mail.subject, body, headers=headers)
        except Exception as exc:
            log.warning("campaign e-mail to %s failed: %s", mail.to, exc)
            error = f"{type(exc).__name__}: {exc}"
        async with self.sessions.begin() as session:
            await campaign_targets.mailed(session, mail.target_id, self.clock.now(), error)
        return 0 if error else 1
