"""The sales funnel (pure): how many deals reached each stage, and how many of those went on to the next.

A deal's stage history is not kept, only where it stands: a deal now in ``proposal`` passed ``prospecting``
and ``qualification`` on its way, and a won deal passed every stage. A lost deal is counted as having reached
the first stage only, since where it was lost is not known; the page says so. The win rate is won ÷ (won + lost).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from contact_center.domain.sales.forecast import OPEN_STAGES

FUNNEL_STAGES = (*OPEN_STAGES, "won")
LOST = "lost"
RULE = (
    "A deal has reached every stage up to the one it is in; a won deal reached them all; a lost deal is counted "
    "at the first stage only (where it was lost is not kept). Conversion is the share of the deals that reached "
    "a stage which reached the next."
)


@dataclass(frozen=True, slots=True)
class StageRow:
    stage: str
    deals: int  # standing at this stage now
    amount_cents: int  # their amounts
    reached: int  # reached this stage at least
    conversion: float | None  # of those, the share that reached the next stage (None: the last, or none reached)


@dataclass(frozen=True, slots=True)
class Funnel:
    rows: list[StageRow]
    lost: int
    lost_amount_cents: int
    win_rate: float | None  # won ÷ (won + lost); None when nothing closed


def funnel(standing: Mapping[str, tuple[int, int]]) -> Funnel:
    """``standing``: stage → (deals, amount in cents) as they stand now; stages outside the funnel but ``lost``
    are ignored."""
    counts = [standing.get(stage, (0, 0)) for stage in FUNNEL_STAGES]
    lost, lost_amount = standing.get(LOST, (0, 0))
    reached = [sum(n for n, _ in counts[i:]) for i in range(len(counts))]
    reached[0] += lost
    rows = []
    for i, stage in enumerate(FUNNEL_STAGES):
        last = i == len(FUNNEL_STAGES) - 1
        conversion = None if last or reached[i] == 0 else reached[i + 1] / reached[i]
        rows.append(StageRow(stage, counts[i][0], counts[i][1], reached[i], conversion))
    won = counts[-1][0]
    return Funnel(rows, lost, lost_amount, won / (won + lost) if won + lost else None)
