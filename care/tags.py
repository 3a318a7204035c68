"""Senior tags staff record ("lives alone", "uses oxygen") and the risk each adds to a crisis call's order (pure)."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Tag(StrEnum):
    """What puts a senior at more risk in a heat wave, a storm or an outbreak (a closed set: staff tick them)."""

    USES_OXYGEN = "uses_oxygen"
    LIMITED_MOBILITY = "limited_mobility"
    LIVES_ALONE = "lives_alone"
    MEMORY_LOSS = "memory_loss"
    AGED_85_PLUS = "aged_85_plus"


# Who is called first. Electricity-dependent equipment such as oxygen concentrators puts a life at risk within
# hours of an outage (HHS emPOWER programme); in the 1995 Chicago heat wave the strongest risks of death were
# being confined to bed, not leaving home daily and living alone (Semenza et al., NEJM 1996;335:84-90); memory
# loss and great age follow (CDC, "Heat and Older Adults"). The weights only order the calls; they add up.
RISK: dict[Tag, int] = {
    Tag.USES_OXYGEN: 50,
    Tag.LIMITED_MOBILITY: 40,
    Tag.LIVES_ALONE: 30,
    Tag.MEMORY_LOSS: 20,
    Tag.AGED_85_PLUS: 10,
}


def risk(tags: Iterable[Tag | str]) -> int:
    """A senior's crisis-call priority from their tags (higher is called first); unknown words add nothing."""
    known = {t.value: t for t in Tag}
    return sum(RISK[known[str(t)]] for t in set(map(str, tags)) if str(t) in known)
