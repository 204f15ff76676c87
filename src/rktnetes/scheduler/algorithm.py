"""One scheduling decision: filter every node, score those that fit, pick the best, or explain why none fits."""

from __future__ import annotations

from collections import Counter
from typing import Any

from rktnetes.scheduler import filtering, scoring
from rktnetes.scheduler.errors import FitError
from rktnetes.scheduler.nodeinfo import Snapshot

Obj = dict[str, Any]


def place(pod: Obj, snapshot: Snapshot) -> str:
    """The node ``pod`` should run on; ``FitError`` with kube-scheduler's message when no node fits."""
    fits, reasons, filters = [], Counter(), filtering.applicable(pod, snapshot)
    for info in snapshot.infos.values():
        against = filtering.reasons_against(pod, info, snapshot, filters)
        if against:
            reasons.update(against)
        else:
            fits.append(info)
    if not fits:
        raise FitError(filtering.fit_message(len(snapshot.infos), reasons))
    return scoring.best(pod, fits, snapshot)
