"""Go-style durations as rkt's flags take them: ``30m``, ``24h``, ``1h30m``, ``500ms``, ``0``."""

from __future__ import annotations

import re

from rktnetes.rkt.pods import errors

_PART = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse(text: str) -> float:
    """Seconds in ``text``; a bare ``0`` is allowed."""
    text = text.strip()
    if text == "0":
        return 0.0
    parts = _PART.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise errors.BadAppFlag(f"invalid duration {text!r} (e.g. 30s, 10m, 24h)")
    return sum(float(n) * _UNITS[u] for n, u in parts)
