"""The per-image app flag parser of ``rkt run``."""

from __future__ import annotations

import pytest

from rktnetes.rkt.pods import appargs, errors


def test_flags_attach_to_the_image_before_them():
    apps = appargs.parse(["busybox", "--exec=/bin/sh", "--name", "one", "--", "-c", "echo hi", "---",
                          "nginx", "--readonly-rootfs", "--memory=42Mi", "--cpu=500m", "--user=www"])
    assert [a.image for a in apps] == ["busybox", "nginx"]
    assert apps[0].exec == "/bin/sh" and apps[0].name == "one" and apps[0].args == ["-c", "echo hi"]
    assert apps[1].readonly_rootfs and apps[1].memory == 42 << 20 and apps[1].cpu_millis == 500
    assert apps[1].user == "www" and apps[0].user is None


def test_args_without_closing_marker_run_to_the_end():
    (app,) = appargs.parse(["busybox", "--", "a", "--exec=/x"])
    assert app.args == ["a", "--exec=/x"] and app.exec is None


def test_repeated_and_list_flags():
    (app,) = appargs.parse(["i", "--environment=A=1", "--environment", "B=x=y", "--mount=volume=v,target=/m",
                            "--supplementary-gids=10,20", "--caps-retain=chown,CAP_KILL", "--oom-score-adj=-5"])
    assert app.environment == {"A": "1", "B": "x=y"} and app.mounts == [("v", "/m")]
    assert app.supplementary_gids == [10, 20] and app.caps_retain == ["CAP_CHOWN", "CAP_KILL"]
    assert app.oom_score_adj == -5


@pytest.mark.parametrize("text,expect", [("42Mi", 42 << 20), ("1G", 10**9), ("512", 512), ("1.5Ki", 1536)])
def test_quantities(text, expect):
    assert appargs.parse_quantity(text) == expect


@pytest.mark.parametrize("words", [
    ["--exec=/bin/sh"], ["i", "--memory=lots"], ["i", "--cpu=2Gi"], ["i", "--exec=relative"],
    ["i", "--mount=volume=v"], ["i", "--name=Bad_Name"], ["i", "--bogus=1"], ["i", "--user"],
    ["i", "--environment=1X=2"], ["i", "--readonly-rootfs=maybe"],
])
def test_bad_flags_are_usage_errors(words):
    with pytest.raises(errors.BadAppFlag):
        appargs.parse(words)


def test_cpu_in_cores():
    assert appargs.parse_quantity("1.5", millis=True) == 1500
