"""Pure builders of the pods a workload wants: its template, labelled, owned, named after it."""

from __future__ import annotations

import copy
from typing import Any

from rktnetes.client import owners

Obj = dict[str, Any]


def pod_for(owner: Obj, template: Obj | None = None, extra_labels: dict[str, str] | None = None) -> Obj:
    """A new Pod from ``owner``'s ``spec.template`` (or ``template``), controlled by ``owner``."""
    template = copy.deepcopy(template if template is not None else owner["spec"]["template"])
    meta = template.get("metadata") or {}
    labels = {**(meta.get("labels") or {}), **(extra_labels or {})}
    pod_meta: Obj = {"generateName": owner["metadata"]["name"] + "-", "labels": labels,
                     "ownerReferences": [owners.owner_reference(owner)]}
    if meta.get("annotations"):
        pod_meta["annotations"] = dict(meta["annotations"])
    if owner["metadata"].get("namespace"):
        pod_meta["namespace"] = owner["metadata"]["namespace"]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": pod_meta, "spec": template.get("spec") or {}}
