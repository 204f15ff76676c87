"""Pure parts of appc discovery: meta tags, template rendering, prefix matching, the parent walk."""

from __future__ import annotations

import pytest

from rktnetes.rkt.errors import UsageError
from rktnetes.rkt.images import discovery, http
from rktnetes.rkt.images.errors import FetchError

PAGE = """<!DOCTYPE html><html><head>
<meta name="ac-discovery" content="example.com https://example.com/{name}-{version}-{os}-{arch}.{ext}">
<meta name="ac-discovery" content="example.com/team   https://team.example.com/{name}.{ext}" />
<meta name="ac-discovery-pubkeys" content="example.com https://example.com/pubkeys.gpg">
<meta name="description" content="not discovery">
<meta name="ac-discovery" content="incomplete">
</head><body><p>hi</p></body></html>"""


def test_parse_meta_keeps_only_complete_ac_tags() -> None:
    metas = discovery.parse_meta(PAGE)
    assert [(m.kind, m.prefix) for m in metas] == [
        ("ac-discovery", "example.com"), ("ac-discovery", "example.com/team"), ("ac-discovery-pubkeys", "example.com")]
    assert metas[1].uri == "https://team.example.com/{name}.{ext}"


def test_endpoints_longest_prefix_first_with_default_labels() -> None:
    app = discovery.App("example.com/team/app")
    assert discovery.aci_endpoints(discovery.parse_meta(PAGE), app) == [
        ("https://team.example.com/example.com/team/app.aci", "https://team.example.com/example.com/team/app.aci.asc"),
        ("https://example.com/example.com/team/app-latest-linux-amd64.aci",
         "https://example.com/example.com/team/app-latest-linux-amd64.aci.asc"),
    ]


def test_render_refuses_unknown_placeholders() -> None:
    assert discovery.render("https://x/{name}-{version}.{ext}", {"name": "a", "version": "1", "ext": "aci"}) == \
        "https://x/a-1.aci"
    assert discovery.render("https://x/{name}-{channel}.{ext}", {"name": "a", "ext": "aci"}) is None


def test_labels_override_defaults() -> None:
    app = discovery.parse_app("example.com/app:2.1,arch=aarch64")
    assert app.template_vars() == {"name": "example.com/app", "version": "2.1", "arch": "aarch64", "os": "linux"}


def test_parse_app_refuses_bad_names() -> None:
    with pytest.raises(UsageError):
        discovery.parse_app("Example.com/../app")


def test_parents_walk_up() -> None:
    assert discovery.parents("a.com/b/c") == ["a.com/b/c", "a.com/b", "a.com"]


@pytest.mark.parametrize(("url", "allowed", "error"), [
    ("http://a/b", False, "refusing plain HTTP"),
    ("ftp://a/b", True, "unsupported URL"),
])
def test_check_scheme(url: str, allowed: bool, error: str) -> None:
    with pytest.raises(FetchError, match=error):
        http.check_scheme(url, allowed)
    http.check_scheme("https://a/b", False)
