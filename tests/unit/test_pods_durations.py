"""Go-style durations of gc and status flags."""

import pytest

from rktnetes.rkt.pods import durations, errors


@pytest.mark.parametrize("text,seconds", [("0", 0), ("0s", 0), ("30m", 1800), ("24h", 86400), ("1h30m", 5400),
                                          ("500ms", 0.5), ("1.5s", 1.5)])
def test_parse(text, seconds):
    assert durations.parse(text) == seconds


@pytest.mark.parametrize("text", ["", "10", "5x", "m5", "1h 2m"])
def test_bad(text):
    with pytest.raises(errors.BadAppFlag):
        durations.parse(text)
