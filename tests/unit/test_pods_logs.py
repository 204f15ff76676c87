"""The CRI log format: what the waiting loop writes and what ``rkt logs`` reads back."""

from __future__ import annotations

import io

from rktnetes.rkt.pods import logs
from rktnetes.rkt.stage1 import waiting

NS = 1_700_000_000_123_456_789


def test_lines_are_records_and_partial_lines_are_marked():
    out = waiting.log_lines(b"a\nb\npart", 2, NS)
    assert out.splitlines() == [b"2023-11-14T22:13:20.123456789Z stderr F a",
                                b"2023-11-14T22:13:20.123456789Z stderr F b",
                                b"2023-11-14T22:13:20.123456789Z stderr P part"]
    assert waiting.log_lines(b"\n", 1, NS) == b"2023-11-14T22:13:20.123456789Z stdout F \n"


def test_render_joins_partials_and_keeps_empty_lines():
    records = (waiting.log_lines(b"he", 1, NS) + waiting.log_lines(b"llo\n\n", 1, NS)).splitlines()
    assert b"".join(logs.render(r, False) for r in records) == b"hello\n\n"
    assert logs.render(records[0], True) == b"2023-11-14T22:13:20.123456789Z he"
    assert logs.stamp_seconds(b"2023-11-14T22:13:20.5Z") == 1_700_000_000.5


def test_show_tail_and_since(tmp_path, monkeypatch):
    log = tmp_path / "log"
    log.write_bytes(waiting.log_lines(b"old\n", 1, NS) + waiting.log_lines(b"new1\nnew2\n", 1, NS + 10**9 * 60))
    reader = logs._Reader(log)
    records = reader.records()
    reader.close()
    assert logs._select(records, logs.Options(tail=1)) == records[-1:]
    assert len(logs._select(records, logs.Options(since=1_700_000_030))) == 2
    out = io.BytesIO()
    logs._emit(out, records, logs.Options())
    assert out.getvalue() == b"old\nnew1\nnew2\n"
