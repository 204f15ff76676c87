"""How ``rkt image list`` shows the store: rkt's columns, human sizes and ages, or JSON."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

from rktnetes.rkt.images import ids
from rktnetes.rkt.images.errors import ImageError
from rktnetes.rkt.images.index import ImageInfo

FIELDS = ("id", "name", "size", "importtime", "lastused", "latest")
DEFAULT_FIELDS = ("id", "name", "size", "importtime", "lastused")
HEADERS = {"id": "ID", "name": "NAME", "size": "SIZE", "importtime": "IMPORT TIME", "lastused": "LAST USED",
           "latest": "LATEST"}
FORMATS = ("", "json", "json-pretty")


def parse_fields(spec: str | None) -> tuple[str, ...]:
    if not spec:
        return DEFAULT_FIELDS
    chosen = tuple(f.strip().lower() for f in spec.split(",") if f.strip())
    unknown = [f for f in chosen if f not in FIELDS]
    if unknown or not chosen:
        raise ImageError(f"unknown field(s) {', '.join(unknown) or spec!r} (valid: {', '.join(FIELDS)})")
    return chosen


_SORT_KEYS = {"id": lambda i: i.id, "name": lambda i: display_name(i), "importtime": lambda i: i.import_time,
              "lastused": lambda i: i.last_used, "size": lambda i: i.size}


def sorted_images(images: list[ImageInfo], sort: str | None, order: str) -> list[ImageInfo]:
    """Images ordered by comma-separated ``sort`` fields (default import time), ``asc`` or ``desc``."""
    keys = [k.strip().lower() for k in (sort or "importtime").split(",") if k.strip()]
    unknown = [k for k in keys if k not in _SORT_KEYS]
    if unknown or not keys:
        raise ImageError(f"cannot sort by {', '.join(unknown) or sort!r} (valid: {', '.join(_SORT_KEYS)})")
    return sorted(images, key=lambda i: tuple(_SORT_KEYS[k](i) for k in keys), reverse=order == "desc")


def display_name(info: ImageInfo) -> str:
    return f"{info.name}:{info.version}" if info.version else info.name


def human_size(size: int) -> str:
    value, unit = float(size), "B"
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):  # noqa: B007 - the last unit is used below
        if value < 1024 or unit == "TiB":
            break
        value /= 1024
    return f"{int(value)}{unit}" if unit == "B" else f"{value:.1f}{unit}".replace(".0", "")


def human_age(when: float, now: float) -> str:
    seconds = max(0, int(now - when))
    for span, unit in ((86400, "day"), (3600, "hour"), (60, "minute"), (1, "second")):
        if seconds >= span:
            count = seconds // span
            return f"{count} {unit}{'s' if count != 1 else ''} ago"
    return "just now"


def _latest_ids(images: list[ImageInfo]) -> set[str]:
    newest: dict[str, ImageInfo] = {}
    for info in images:
        if info.name not in newest or info.import_time > newest[info.name].import_time:
            newest[info.name] = info
    return {info.id for info in newest.values()}


def _cell(info: ImageInfo, field: str, full: bool, now: float, latest: set[str]) -> str:
    if field == "id":
        return ids.display(info.id, full=full)
    if field == "name":
        return display_name(info)
    if field == "size":
        return str(info.size) if full else human_size(info.size)
    if field in ("importtime", "lastused"):
        when = info.import_time if field == "importtime" else info.last_used
        return _rfc3339(when) if full else human_age(when, now)
    return str(info.id in latest).lower()


def table(images: list[ImageInfo], fields: tuple[str, ...], *, full: bool, legend: bool) -> str:
    now, latest = time.time(), _latest_ids(images)
    rows = [[HEADERS[f] for f in fields]] if legend else []
    rows += [[_cell(info, f, full, now, latest) for f in fields] for info in images]
    widths = [max(len(row[i]) for row in rows) for i in range(len(fields))] if rows else []
    return "".join("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() + "\n" for row in rows)


def _rfc3339(when: float) -> str:
    return datetime.fromtimestamp(when, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def as_json(images: list[ImageInfo], *, pretty: bool) -> str:
    docs: list[dict[str, object]] = [
        {"id": info.id, "name": info.name, "version": info.version, "labels": info.labels,
         "import_time": _rfc3339(info.import_time), "last_used_time": _rfc3339(info.last_used),
         "size": info.size, "origin": info.origin, "format": info.fmt}
        for info in images
    ]
    return json.dumps(docs, indent=2 if pretty else None) + "\n"
