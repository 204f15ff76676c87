"""docker:// reference parsing, auth challenges, platform choice and config conversion."""

from __future__ import annotations

from pathlib import Path

import pytest

from rktnetes.rkt.images import converting, docker, errors, manifest, references, registry


@pytest.mark.parametrize(("ref", "registry_", "repo", "reference", "url"), [
    ("docker://busybox", "docker.io", "library/busybox", "latest", "docker://docker.io/library/busybox:latest"),
    ("docker://user/app:1.0", "docker.io", "user/app", "1.0", "docker://docker.io/user/app:1.0"),
    ("docker://127.0.0.1:5000/nginx", "127.0.0.1:5000", "nginx", "latest", "docker://127.0.0.1:5000/nginx:latest"),
    ("docker://localhost/a/b:v2", "localhost", "a/b", "v2", "docker://localhost/a/b:v2"),
    ("docker://quay.io/coreos/etcd@sha256:" + "a" * 64, "quay.io", "coreos/etcd", "sha256:" + "a" * 64,
     "docker://quay.io/coreos/etcd@sha256:" + "a" * 64),
])
def test_references_normalise_like_docker(ref, registry_, repo, reference, url) -> None:
    parsed = references.parse(ref)
    assert (parsed.registry, parsed.repository, parsed.reference, parsed.url()) == (registry_, repo, reference, url)


def test_docker_hub_api_host_and_appc_name() -> None:
    assert references.parse("docker://nginx").host == "registry-1.docker.io"
    name = references.parse("docker://127.0.0.1:5000/team/nginx").image_name()
    assert name == "127.0.0.1-5000/team/nginx"
    manifest.check_identifier(name, "name")
    odd = references.parse("docker://localhost:5000/a__b/c---d").image_name()
    assert odd == "localhost-5000/a_b/c-d"
    manifest.check_identifier(odd, "name")


@pytest.mark.parametrize("ref", ["docker://UPPER", "docker://a/b:bad/tag", "docker://x@sha256:abc", "docker://",
                                 "docker://a//b", "docker://a:" + "t" * 200])
def test_bad_references_are_refused(ref: str) -> None:
    with pytest.raises(errors.FetchError):
        references.parse(ref)


def test_bearer_challenge_is_parsed() -> None:
    scheme, params = registry.parse_challenge(
        'Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull"')
    assert scheme == "bearer"
    assert params == {"realm": "https://auth.example/token", "service": "registry.example",
                      "scope": "repository:a/b:pull"}


def test_platform_pick_chooses_linux_amd64() -> None:
    index = {"manifests": [{"digest": "arm", "platform": {"os": "linux", "architecture": "arm64"}},
                           {"digest": "amd", "platform": {"os": "linux", "architecture": "amd64"}}]}
    assert docker.pick_platform(index)["digest"] == "amd"
    with pytest.raises(errors.FetchError, match="linux/amd64"):
        docker.pick_platform({"manifests": index["manifests"][:1]})


def _tree(tmp_path: Path) -> Path:
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc/passwd").write_text("root:x:0:0::/root:/bin/sh\nnobody:x:65534:65533::/:/bin/false\n")
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin/sh").write_text("")
    return tmp_path


@pytest.mark.parametrize(("spec", "expected"), [
    ("", ("0", "0")), ("nobody", ("nobody", "65533")), ("65534", ("65534", "65533")), ("1:2", ("1", "2")),
    ("ghost", ("ghost", "0")),
])
def test_user_group_follow_docker_rules(tmp_path: Path, spec: str, expected) -> None:
    assert converting.user_group(spec, _tree(tmp_path)) == expected


def test_config_becomes_a_valid_appc_manifest(tmp_path: Path) -> None:
    config = {"architecture": "amd64", "os": "linux", "config": {
        "Entrypoint": ["sh"], "Cmd": ["-c", "echo hi"], "Env": ["PATH=/bin", "A=b=c"], "WorkingDir": "/srv",
        "ExposedPorts": {"80/tcp": {}, "53/udp": {}}, "User": "nobody"}}
    doc = manifest.validate(converting.appc_manifest("127.0.0.1-5000/x", "v1", config, _tree(tmp_path), {}))
    app = doc["app"]
    assert app["exec"] == ["/bin/sh", "-c", "echo hi"]
    assert {"name": "A", "value": "b=c"} in app["environment"]
    assert app["ports"] == [{"name": "53-udp", "protocol": "udp", "port": 53},
                            {"name": "80-tcp", "protocol": "tcp", "port": 80}]
    assert (app["user"], app["group"], app["workingDirectory"]) == ("nobody", "65533", "/srv")
    assert manifest.labels(doc) == {"version": "v1", "os": "linux", "arch": "amd64"}


def test_a_command_not_on_path_is_refused(tmp_path: Path) -> None:
    with pytest.raises(errors.FetchError, match="not on the image's PATH"):
        converting.app({"Cmd": ["missing"]}, _tree(tmp_path))


@pytest.mark.parametrize(("manifest_", "message"), [
    ({"config": {"digest": "sha256:x"}}, "no layers list"),
    ({"layers": [], "config": "nope"}, "config is not a descriptor"),
    ({"layers": [{"size": 3}], "config": {"digest": "d"}}, "layer 0 is not a descriptor"),
    ({"layers": [{"digest": "d", "size": "3"}], "config": {"digest": "d"}}, "size that is not a number"),
])
def test_malformed_manifests_are_refused(manifest_, message: str) -> None:
    with pytest.raises(errors.FetchError, match=message):
        docker.check_descriptors(manifest_)
