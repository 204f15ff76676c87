"""Recipes, manifests/configs derived from them, apt output parsing and in-tree path resolution."""

from __future__ import annotations

from pathlib import Path

import pytest

from rktnetes.rkt.images import building, debian, errors, manifest, recipes, rootfs

MINIMAL = {"name": "example.com/app", "exec": ["/bin/app", "-v"]}


def test_recipe_defaults_and_camel_case() -> None:
    r = recipes.from_dict({**MINIMAL, "workingDirectory": "/srv", "version": 2})
    assert r.working_directory == "/srv" and r.version == "2" and r.user == "0"
    assert r.environment()["PATH"].startswith("/usr/local/sbin")


@pytest.mark.parametrize(("data", "message"), [
    ({"exec": ["/x"]}, "name is required"),
    ({"name": "a"}, "exec is required"),
    ({**MINIMAL, "bogus": 1}, "unknown key 'bogus'"),
    ({**MINIMAL, "packages": "busybox"}, "packages must be a list"),
    ({**MINIMAL, "exec": []}, "exec must be a non-empty list"),
    ({**MINIMAL, "files": [{"path": "etc/x"}]}, "must be absolute"),
    ({**MINIMAL, "symlinks": {"/a/../../b": "x"}}, "must be absolute and stay inside"),
    ([1, 2], "must be a mapping"),
    ({**MINIMAL, "users": [{"name": "u"}]}, "each of users needs uid"),
    ({**MINIMAL, "users": [{"name": "u", "uid": "7"}]}, "users uid must be a int"),
    ({**MINIMAL, "groups": [{"name": "g", "gid": 1, "extra": 1}]}, "unknown key 'extra' in groups"),
    ({**MINIMAL, "ports": [{"port": 70000}]}, "1-65535"),
    ({**MINIMAL, "ports": [{"port": 53, "protocol": "sctp"}]}, "tcp or udp"),
    ({**MINIMAL, "env": {"A": 1}}, "hold strings only"),
    ({**MINIMAL, "name": "Not Valid"}, "not an AC identifier"),
    ({**MINIMAL, "files": ["/etc/x"]}, "each of files must be a mapping"),
])
def test_bad_recipes_are_refused(data, message: str) -> None:
    with pytest.raises(errors.BuildError, match=message):
        recipes.from_dict(data)


def test_load_reports_yaml_errors_in_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "r.yaml"
    bad.write_text("name: [unclosed\n")
    with pytest.raises(errors.BuildError) as info:
        recipes.load(bad)
    assert "\n" not in str(info.value)


def test_aci_manifest_is_valid_appc() -> None:
    r = recipes.from_dict({**MINIMAL, "ports": [{"port": 80}, {"name": "dns", "port": 53, "protocol": "udp"}],
                           "env": {"A": "1"}, "user": "user", "group": 1000})
    doc = manifest.validate(building.aci_manifest(r))
    assert doc["app"]["ports"] == [{"name": "80-tcp", "protocol": "tcp", "port": 80},
                                   {"name": "dns", "protocol": "udp", "port": 53}]
    assert {"name": "A", "value": "1"} in doc["app"]["environment"]
    assert manifest.labels(doc) == {"version": "latest", "os": "linux", "arch": "amd64"}
    assert doc["app"]["group"] == "1000"


def test_oci_config_carries_the_app() -> None:
    r = recipes.from_dict({**MINIMAL, "ports": [{"port": 80}], "user": "33", "group": "33"})
    cfg = building.oci_config(r)["config"]
    assert cfg["Entrypoint"] == ["/bin/app", "-v"] and cfg["User"] == "33:33"
    assert cfg["ExposedPorts"] == {"80/tcp": {}} and cfg["WorkingDir"] == "/"


APT_OUTPUT = """nginx-common
 |Depends: debconf
  Depends: <debconf-2.0>
    cdebconf
    debconf
nginx
  Depends: libc6
 |Depends: <awk>
    mawk
    gawk
  Depends: zlib1g
  PreDepends: libssl3
"""


def test_apt_groups_pick_first_alternative_and_skip_plumbing() -> None:
    groups = debian._parse_groups(APT_OUTPUT)
    picked = [debian._pick(g, debian.SKIP) for g in groups]
    # "|" joins a line to the next one: <awk> | zlib1g is one group, satisfied by awk's first provider
    assert picked == [None, "libc6", "mawk", "libssl3"]


def test_unsatisfiable_virtual_is_an_error() -> None:
    with pytest.raises(errors.BuildError, match="no package provides"):
        debian._pick([["<nothing>"]], frozenset())


def test_inside_keeps_absolute_and_dotdot_links_in_the_tree(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    (tree / "usr/lib").mkdir(parents=True)
    (tree / "lib").symlink_to("/usr/lib")
    (tree / "up").symlink_to("../../../../etc")
    assert rootfs.inside(tree, "/lib/x") == tree / "usr/lib/x"
    assert rootfs.inside(tree, "/up/passwd") == tree / "etc/passwd"
    assert rootfs.inside(tree, "/../../etc/passwd") == tree / "etc/passwd"


def test_customise_writes_accounts_files_and_links(tmp_path: Path) -> None:
    r = recipes.from_dict({**MINIMAL, "users": [{"name": "user", "uid": 1000}], "groups": [{"name": "user", "gid": 1000}],
                           "files": [{"path": "/etc/motd", "content": "hi", "mode": 0o600}],
                           "symlinks": {"/bin/sh": "busybox"}, "directories": [{"path": "/tmp", "mode": 0o1777}]})
    rootfs.customise(r, tmp_path)
    assert "user:x:1000:1000:" in (tmp_path / "etc/passwd").read_text()
    assert (tmp_path / "etc/group").read_text().startswith("root:x:0:")
    assert (tmp_path / "etc/motd").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "bin/sh").readlink() == Path("busybox")
    assert (tmp_path / "tmp").stat().st_mode & 0o7777 == 0o1777
