"""Process-wide tuning done once everything a server (or a benchmark) needs is loaded."""

from __future__ import annotations

import asyncio
import gc
import logging
import time

log = logging.getLogger(__name__)

# Generation 2 is collected only when asked (``full_collections``): see ``keep_full_collections_off_the_call_path``.
NEVER_BY_COUNT = 1_000_000_000
FULL_COLLECTION_SECONDS = 300.0


def freeze_startup_objects() -> None:
    """Keep what start-up loaded out of the garbage collector's passes, and full passes off the call path.

    A full collection walks every tracked object: with the whole server imported that took
    130 ms (measured) and stalled call set-up and the event loop meanwhile. Modules, settings,
    flows and caches live as long as the process, so they are moved to the permanent generation.
    """
    gc.collect()
    gc.freeze()
    keep_full_collections_off_the_call_path()


def keep_full_collections_off_the_call_path() -> None:
    """Young generations collect as usual (cheap, and most garbage dies young); the full pass, which
    walks everything the process holds (10 to 130 ms with thousands of calls and agents live), no longer
    starts by itself in the middle of a routing decision or a screen-pop: ``full_collections`` runs it
    at a steady pace and logs what it cost."""
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, NEVER_BY_COUNT)


async def full_collections(every: float = FULL_COLLECTION_SECONDS) -> None:
    """Run the full collection every ``every`` seconds (cyclic garbage is freed within that time)."""
    while True:
        await asyncio.sleep(every)
        started = time.perf_counter()
        found = gc.collect(2)
        took = (time.perf_counter() - started) * 1000
        log.log(
            logging.INFO if took > 20 else logging.DEBUG, "full garbage collection: %d freed in %.1f ms", found, took
        )
