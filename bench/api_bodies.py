"""Request-body costs in the API server, each beside its peer in one run, as ops/s and ratios.

- protobuf: our decode of the Deployment body kubectl >= 1.32 sends, beside ``orjson.loads`` of the same
  object as JSON (what every JSON request costs);
- strategic merge patch of a container image, beside ``jsonpatch`` applying the equivalent RFC 6902 patch;
- server-side apply of an unchanged Deployment (ownership, conflicts, merge), beside a JSON merge patch.
Run: ``.venv/bin/python bench/api_bodies.py [--seconds 1.0]``.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import jsonpatch
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.unit.test_api_protobuf import envelope  # noqa: E402

from rktnetes.api import merging, patching, protobuf, resources  # noqa: E402

DEPLOYMENTS = resources.lookup("apps", "v1", "deployments")


def deployment_message():
    msg = protobuf._message("V1Deployment")()
    msg.metadata.name, msg.metadata.namespace = "web", "default"
    msg.metadata.labels["app"] = "web"
    msg.spec.replicas = 3
    msg.spec.selector.matchLabels["app"] = "web"
    msg.spec.template.metadata.labels["app"] = "web"
    for i in range(3):
        c = msg.spec.template.spec.containers.add(name=f"c{i}", image="nginx:1.25", command=["nginx", "-g"])
        c.ports.add(containerPort=80 + i, protocol="TCP")
        c.env.add(name="MODE", value="prod")
        c.resources.limits["cpu"].string = "500m"
    return msg


def rate(fn: Callable[[], object], seconds: float) -> float:
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for _ in range(50):
            fn()
        count += 50
    return count / (time.perf_counter() - start)


def row(name: str, ours: float, peer: float, peer_name: str) -> None:
    print(f"{name:<28} {ours:>10.0f}/s   {peer_name:<24} {peer:>10.0f}/s   ratio {ours / peer:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=1.0)
    seconds = parser.parse_args().seconds
    body = envelope("apps/v1", "Deployment", deployment_message().SerializeToString())
    obj = protobuf.decode(body, DEPLOYMENTS)
    as_json = orjson.dumps(obj)
    row("protobuf decode", rate(lambda: protobuf.decode(body, DEPLOYMENTS), seconds),
        rate(lambda: orjson.loads(as_json), seconds), "orjson.loads (same obj)")
    smp = {"spec": {"template": {"spec": {"containers": [{"name": "c1", "image": "nginx:2"}]}}}}
    rfc = jsonpatch.JsonPatch([{"op": "replace", "path": "/spec/template/spec/containers/1/image", "value": "x"}])
    row("strategic merge patch", rate(lambda: merging.strategic_merge(obj, smp, "V1Deployment"), seconds),
        rate(lambda: rfc.apply(obj), seconds), "jsonpatch (RFC 6902)")
    config = orjson.dumps(obj)
    applied = patching.apply_patch(patching.APPLY_PATCH, None, config, DEPLOYMENTS, manager="bench")
    row("server-side apply", rate(lambda: patching.apply_patch(patching.APPLY_PATCH, applied, config, DEPLOYMENTS,
                                                                manager="bench"), seconds),
        rate(lambda: merging.merge_patch(obj, obj), seconds), "JSON merge patch")


if __name__ == "__main__":
    main()
