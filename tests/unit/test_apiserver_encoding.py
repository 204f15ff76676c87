"""The stored form of objects and the resourceVersion splice used by unparsed LIST and WATCH answers."""

from __future__ import annotations

import orjson
import pytest

from rktnetes.apiserver import encoding


@pytest.mark.parametrize("obj", [
    {"spec": {"template": {"metadata": {"name": "inner"}}}, "metadata": {"name": "outer", "resourceVersion": "3"},
     "kind": "Deployment", "apiVersion": "apps/v1"},
    {"kind": "ConfigMap", "apiVersion": "v1", "metadata": {}, "data": {"a": "{\"metadata\":{"}},
    {"metadata": {"name": "no-kind"}},
])
def test_splice_equals_parse_and_set(obj: dict) -> None:
    stored = encoding.encode(obj)
    assert b"resourceVersion" not in stored
    spliced = orjson.loads(encoding.splice(stored, 42))
    expected = orjson.loads(stored)
    expected["metadata"]["resourceVersion"] = "42"
    assert spliced == expected and list(spliced)[:1] in (["kind"], ["metadata"])


def test_splice_falls_back_for_foreign_layouts() -> None:
    foreign = orjson.dumps({"spec": {"metadata": {"x": 1}}, "metadata": {"name": "a"}})
    assert orjson.loads(encoding.splice(foreign, 7))["metadata"] == {"name": "a", "resourceVersion": "7"}


def test_list_body() -> None:
    items = [encoding.splice(encoding.encode({"kind": "Pod", "apiVersion": "v1", "metadata": {"name": n}}), i)
             for i, n in enumerate(("a", "b"), 1)]
    body = orjson.loads(encoding.list_body("PodList", "v1", {"resourceVersion": "9"}, items))
    assert body["kind"] == "PodList" and [i["metadata"]["resourceVersion"] for i in body["items"]] == ["1", "2"]
