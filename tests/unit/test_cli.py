from rktnetes.rkt.cli import main


def test_version_prints_rkt_version(capsys):
    assert main.main(["version"]) == 0
    assert capsys.readouterr().out.startswith("rkt Version: ")


def test_unknown_flag_is_one_line_and_254(capsys):
    assert main.main(["version", "--no-such-flag"]) == 254
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unrecognized arguments" in err


def test_unknown_insecure_option_is_rejected():
    import argparse

    import pytest

    from rktnetes.rkt.cli import common
    from rktnetes.rkt.errors import UsageError

    with pytest.raises(UsageError):
        common.insecure_options(argparse.Namespace(insecure_options="image,bogus"))
    assert common.insecure_options(argparse.Namespace(insecure_options="all-run")) == {
        "capabilities", "paths", "seccomp"}
