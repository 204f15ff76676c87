"""Label and field selectors: parsing and matching, as kube-apiserver does them."""

from __future__ import annotations

import pytest

from rktnetes.api import errors, resources, selectors

PODS = resources.lookup("", "v1", "pods")
EVENTS = resources.lookup("", "v1", "events")


def _obj(labels: dict[str, str]) -> dict:
    return {"metadata": {"labels": labels}}


@pytest.mark.parametrize(("text", "labels", "expected"), [
    ("app=web", {"app": "web"}, True),
    ("app==web", {"app": "db"}, False),
    ("app!=web", {"app": "db"}, True),
    ("app!=web", {}, True),
    ("app in (web, db)", {"app": "db"}, True),
    ("app notin (web,db)", {"app": "db"}, False),
    ("app notin (web,db)", {}, True),
    ("app", {"app": ""}, True),
    ("!app", {"app": "x"}, False),
    ("!app", {}, True),
    ("app=web,tier in (a,b),!debug", {"app": "web", "tier": "b"}, True),
    ("app=web,tier in (a,b),!debug", {"app": "web", "tier": "b", "debug": "1"}, False),
    ("", {"anything": "x"}, True),
])
def test_label_selectors(text: str, labels: dict, expected: bool) -> None:
    assert selectors.matches_labels(selectors.parse_labels(text), _obj(labels)) is expected


def test_bad_label_selector_is_a_400() -> None:
    with pytest.raises(errors.APIError) as info:
        selectors.parse_labels("a in b c")
    assert info.value.code == 400


def test_label_selector_object() -> None:
    reqs = selectors.from_label_selector({"matchLabels": {"app": "web"},
                                          "matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["x"]}]})
    assert selectors.matches_labels(reqs, _obj({"app": "web", "tier": "y"}))
    assert not selectors.matches_labels(reqs, _obj({"app": "web", "tier": "x"}))


def test_field_selectors_on_pods() -> None:
    pod = {"metadata": {"name": "p", "namespace": "ns"}, "spec": {"nodeName": "n1"}, "status": {"phase": "Running"}}
    assert selectors.matches_fields(selectors.parse_fields("spec.nodeName=n1,status.phase!=Failed", PODS), pod)
    assert not selectors.matches_fields(selectors.parse_fields("spec.nodeName=", PODS), pod)
    assert selectors.matches_fields(selectors.parse_fields("metadata.name==p,metadata.namespace=ns", PODS), pod)
    assert selectors.matches_fields(selectors.parse_fields("spec.hostNetwork=false", PODS), pod)


def test_field_selectors_on_events() -> None:
    event = {"metadata": {"name": "e"}, "involvedObject": {"kind": "Pod", "name": "p"}, "source": {"component": "k"}}
    assert selectors.matches_fields(selectors.parse_fields("involvedObject.kind=Pod,involvedObject.name=p", EVENTS),
                                    event)
    assert selectors.matches_fields(selectors.parse_fields("source=k", EVENTS), event)


def test_unsupported_field_is_rejected_like_kube() -> None:
    with pytest.raises(errors.APIError) as info:
        selectors.parse_fields("spec.bogus=1", PODS)
    assert info.value.status()["message"] == "field label not supported: spec.bogus"
    assert info.value.code == 400
