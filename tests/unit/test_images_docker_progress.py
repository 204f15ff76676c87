"""Download bars as rkt printed them (``Downloading sha256:… [===] size``), only when asked."""

from __future__ import annotations

import pytest

from rktnetes.rkt.images import progressing

DIGEST = "sha256:2fdfe1cd78c20d05774f0919be19bc1e3e4729bb3c43ac6bd0b4bd1fe4eb0c8d"


def test_no_bars_unless_asked(capsys: pytest.CaptureFixture[str]) -> None:
    with progressing.Bars(False) as bars:
        assert bars.add(DIGEST, 10) is None
    assert capsys.readouterr() == ("", "")


def test_bars_name_the_blob_and_count_bytes(capsys: pytest.CaptureFixture[str]) -> None:
    with progressing.Bars(True) as bars:
        advance = bars.add(DIGEST, 2_060_000)
        assert advance is not None
        advance(2_060_000)
    out = capsys.readouterr()
    assert out.out == ""
    assert "Downloading sha256:2fdfe1cd78c" in out.err and "2.1/2.1 MB" in out.err
