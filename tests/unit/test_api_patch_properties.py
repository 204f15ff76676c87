"""Properties of the merges over generated objects (hypothesis): identities, idempotence, inputs untouched."""

from __future__ import annotations

import copy

from hypothesis import given, settings
from hypothesis import strategies as st

from rktnetes.api import merging

names = st.sampled_from(["a", "b", "c", "d"])
scalars = st.one_of(st.integers(-3, 3), st.text("xyz", max_size=2), st.booleans())
env = st.lists(st.fixed_dictionaries({"name": names, "value": st.text("uv", max_size=2)}), max_size=3,
               unique_by=lambda e: e["name"])
containers = st.lists(st.fixed_dictionaries({"name": names, "image": st.text("ij", min_size=1, max_size=2),
                                             "env": env}), max_size=3, unique_by=lambda c: c["name"])
labels = st.dictionaries(names, st.text("lm", max_size=2), max_size=3)
pods = st.builds(lambda c, ls: {"metadata": {"labels": ls}, "spec": {"containers": c}}, containers, labels)
json_values = st.recursive(scalars, lambda inner: st.dictionaries(names, inner, max_size=3), max_leaves=8)


@settings(max_examples=80, deadline=None)
@given(pods, pods)
def test_strategic_merge_is_idempotent_and_pure(original, patch):
    before = copy.deepcopy((original, patch))
    once = merging.strategic_merge(original, patch, "V1Pod")
    assert merging.strategic_merge(once, patch, "V1Pod") == once
    assert (original, patch) == before
    assert merging.strategic_merge(original, {}, "V1Pod") == original


@settings(max_examples=80, deadline=None)
@given(pods, pods)
def test_strategic_merge_keeps_every_container_once(original, patch):
    merged = merging.strategic_merge(original, patch, "V1Pod")
    names_out = [c["name"] for c in merged["spec"]["containers"]]
    expected = [c["name"] for c in original["spec"]["containers"]]
    expected += [c["name"] for c in patch["spec"]["containers"] if c["name"] not in expected]
    assert names_out == expected


@settings(max_examples=80, deadline=None)
@given(json_values, json_values)
def test_merge_patch_is_idempotent(target, patch):
    once = merging.merge_patch(target, patch)
    assert merging.merge_patch(once, patch) == once
