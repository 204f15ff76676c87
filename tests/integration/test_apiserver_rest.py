"""The REST API over real HTTPS against the real server process on SQLite: Status shapes, auth, CRUD, lists,
pagination, conflicts, deletion semantics, subresources."""

from __future__ import annotations

import json
import time

import pytest
import urllib3

pytestmark = pytest.mark.integration


def call(server, method: str, path: str, body=None, content_type: str = "application/json",
         headers: dict | None = None) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None and not isinstance(body, bytes) else body
    hdrs = {"Content-Type": content_type, **(headers or {})}
    resp = server.http().request(method, server.url + path, body=data, headers=hdrs, timeout=30)
    return resp.status, json.loads(resp.data) if resp.data else {}


def cm(name: str, **data) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "labels": {"app": "x"}},
            "data": data}


def test_anonymous_gets_401_status(apiserver) -> None:
    pool = urllib3.PoolManager(ca_certs=str(apiserver.data_dir / "pki" / "ca.crt"))
    resp = pool.request("GET", apiserver.url + "/api/v1/pods", timeout=10)
    assert resp.status == 401
    assert resp.data == (b'{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized",'
                         b'"reason":"Unauthorized","code":401}\n')
    assert json.loads(resp.data) == {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                                     "message": "Unauthorized", "reason": "Unauthorized", "code": 401}
    assert pool.request("GET", apiserver.url + "/healthz", timeout=10).status == 200


def test_bearer_token(apiserver) -> None:
    pool = urllib3.PoolManager(ca_certs=str(apiserver.data_dir / "pki" / "ca.crt"))
    resp = pool.request("GET", apiserver.url + "/api/v1/namespaces", headers={"Authorization": "Bearer nope"})
    assert resp.status == 401
    resp = pool.request("GET", apiserver.url + "/api/v1/namespaces",
                        headers={"Authorization": f"Bearer {apiserver.token}"})
    assert resp.status == 200 and json.loads(resp.data)["kind"] == "NamespaceList"


def test_not_found_status_is_exact(apiserver, namespace) -> None:
    code, body = call(apiserver, "GET", f"/api/v1/namespaces/{namespace}/pods/nope")
    assert code == 404
    assert body == {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                    "message": 'pods "nope" not found', "reason": "NotFound",
                    "details": {"name": "nope", "kind": "pods"}, "code": 404}
    code, body = call(apiserver, "GET", f"/apis/apps/v1/namespaces/{namespace}/deployments/nope")
    assert body["message"] == 'deployments.apps "nope" not found' and body["details"]["group"] == "apps"


def test_create_conflict_and_already_exists(apiserver, namespace) -> None:
    base = f"/api/v1/namespaces/{namespace}/configmaps"
    code, created = call(apiserver, "POST", base, cm("a", k="1"))
    assert code == 201 and created["metadata"]["uid"] and int(created["metadata"]["resourceVersion"]) > 0
    code, body = call(apiserver, "POST", base, cm("a"))
    assert (code, body["reason"], body["message"]) == (409, "AlreadyExists", 'configmaps "a" already exists')
    stale = dict(created, data={"k": "2"})
    code, updated = call(apiserver, "PUT", base + "/a", stale)
    assert code == 200 and updated["metadata"]["resourceVersion"] != created["metadata"]["resourceVersion"]
    code, body = call(apiserver, "PUT", base + "/a", dict(created, data={"k": "3"}))
    assert (code, body["reason"]) == (409, "Conflict")
    assert body["message"] == ('Operation cannot be fulfilled on configmaps "a": the object has been modified; '
                               'please apply your changes to the latest version and try again')


def test_generate_name_and_dry_run(apiserver, namespace) -> None:
    base = f"/api/v1/namespaces/{namespace}/configmaps"
    code, body = call(apiserver, "POST", base + "?dryRun=All", cm("dry"))
    assert code == 201 and body["metadata"]["name"] == "dry"
    assert call(apiserver, "GET", base + "/dry")[0] == 404
    code, body = call(apiserver, "POST", base, {"metadata": {"generateName": "gen-"}, "data": {}})
    assert code == 201 and body["metadata"]["name"].startswith("gen-") and body["kind"] == "ConfigMap"


def test_invalid_pod_is_422_with_causes(apiserver, namespace) -> None:
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": []}}
    code, body = call(apiserver, "POST", f"/api/v1/namespaces/{namespace}/pods", pod)
    assert code == 422 and body["reason"] == "Invalid"
    assert body["details"]["causes"] == [{"reason": "FieldValueRequired", "message": "Required value",
                                          "field": "spec.containers"}]


def test_missing_namespace_and_bad_body(apiserver) -> None:
    code, body = call(apiserver, "POST", "/api/v1/namespaces/nowhere/configmaps", cm("a"))
    assert (code, body["message"]) == (404, 'namespaces "nowhere" not found')
    code, body = call(apiserver, "POST", "/api/v1/namespaces/default/configmaps", b"{not json")
    assert (code, body["reason"]) == (400, "BadRequest")
    code, body = call(apiserver, "POST", "/api/v1/namespaces/default/configmaps", b"x", content_type="text/plain")
    assert (code, body["reason"]) == (415, "UnsupportedMediaType")
    assert call(apiserver, "GET", "/api/v1/nosuchthings")[0] == 404


def test_list_selectors_and_pagination(apiserver, namespace) -> None:
    base = f"/api/v1/namespaces/{namespace}/configmaps"
    for i in range(7):
        body = cm(f"c{i}")
        body["metadata"]["labels"] = {"n": str(i % 2)}
        assert call(apiserver, "POST", base, body)[0] == 201
    code, page = call(apiserver, "GET", base + "?labelSelector=n%3D1")
    assert [i["metadata"]["name"] for i in page["items"]] == ["c1", "c3", "c5"]
    code, page = call(apiserver, "GET", base + "?labelSelector=n%20in%20(0)&fieldSelector=metadata.name!%3Dc0")
    assert [i["metadata"]["name"] for i in page["items"]] == ["c2", "c4", "c6"]
    names, token = [], ""
    while True:
        code, page = call(apiserver, "GET", base + f"?limit=3&labelSelector=n&continue={token}")
        names += [i["metadata"]["name"] for i in page["items"]]
        token = page["metadata"].get("continue", "")
        if not token:
            break
        assert len(page["items"]) == 3
    assert names == [f"c{i}" for i in range(7)]
    code, body = call(apiserver, "GET", base + "?fieldSelector=spec.nodeName%3Dx")
    assert (code, body["message"]) == (400, "field label not supported: spec.nodeName")


def test_all_namespaces_list_and_exact_revision(apiserver, namespace) -> None:
    code, first = call(apiserver, "POST", f"/api/v1/namespaces/{namespace}/configmaps", cm("old"))
    rv = first["metadata"]["resourceVersion"]
    call(apiserver, "POST", f"/api/v1/namespaces/{namespace}/configmaps", cm("new"))
    code, page = call(apiserver, "GET", f"/api/v1/configmaps?fieldSelector=metadata.namespace%3D{namespace}")
    assert sorted(i["metadata"]["name"] for i in page["items"]) == ["new", "old"]
    code, page = call(apiserver, "GET", f"/api/v1/namespaces/{namespace}/configmaps?resourceVersion={rv}"
                      "&resourceVersionMatch=Exact")
    assert [i["metadata"]["name"] for i in page["items"]] == ["old"] and page["metadata"]["resourceVersion"] == rv


def test_finalizers_and_preconditions(apiserver, namespace) -> None:
    base = f"/api/v1/namespaces/{namespace}/configmaps"
    body = cm("f")
    body["metadata"]["finalizers"] = ["example.com/hold"]
    code, created = call(apiserver, "POST", base, body)
    code, err = call(apiserver, "DELETE", base + "/f", {"preconditions": {"uid": "wrong"}})
    assert code == 409 and "Precondition failed: UID in precondition: wrong" in err["message"]
    code, marked = call(apiserver, "DELETE", base + "/f")
    assert code == 200 and marked["metadata"]["deletionTimestamp"]
    assert call(apiserver, "GET", base + "/f")[0] == 200
    code, _ = call(apiserver, "PATCH", base + "/f", {"metadata": {"finalizers": None}},
                   content_type="application/merge-patch+json")
    assert code == 200
    assert call(apiserver, "GET", base + "/f")[0] == 404


def test_pod_on_a_node_is_deleted_gracefully(apiserver, namespace) -> None:
    pods = f"/api/v1/namespaces/{namespace}/pods"
    pod = {"metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "image": "busybox"}]}}
    assert call(apiserver, "POST", pods, pod)[0] == 201
    code, _ = call(apiserver, "POST", pods + "/p/binding", {"apiVersion": "v1", "kind": "Binding",
                                                            "metadata": {"name": "p"},
                                                            "target": {"kind": "Node", "name": "n1"}})
    assert code == 201
    code, body = call(apiserver, "POST", pods + "/p/binding", {"target": {"name": "n2"}})
    assert code == 409
    code, body = call(apiserver, "POST", f"/api/v1/namespaces/{namespace}/bindings",
                      {"metadata": {"name": "p"}, "target": {"name": "n3"}})
    assert code == 409 and 'is already assigned to node "n1"' in body["message"]
    code, marked = call(apiserver, "DELETE", pods + "/p")
    assert marked["spec"]["nodeName"] == "n1" and marked["metadata"]["deletionGracePeriodSeconds"] == 30
    code, _ = call(apiserver, "DELETE", pods + "/p", {"gracePeriodSeconds": 0})
    assert code == 200 and call(apiserver, "GET", pods + "/p")[0] == 404


def test_status_subresource_only_changes_status(apiserver, namespace) -> None:
    pods = f"/api/v1/namespaces/{namespace}/pods"
    pod = {"metadata": {"name": "s"}, "spec": {"containers": [{"name": "c", "image": "busybox"}]},
           "status": {"phase": "Running"}}
    code, created = call(apiserver, "POST", pods, pod)
    assert created["status"]["phase"] == "Pending"
    created["status"]["phase"] = "Running"
    created["spec"]["containers"][0]["image"] = "changed"
    code, updated = call(apiserver, "PUT", pods + "/s/status", created)
    assert code == 200 and updated["status"]["phase"] == "Running"
    assert updated["spec"]["containers"][0]["image"] == "busybox"


def test_scale_subresource(apiserver, namespace) -> None:
    deps = f"/apis/apps/v1/namespaces/{namespace}/deployments"
    dep = {"metadata": {"name": "d"}, "spec": {"replicas": 1, "selector": {"matchLabels": {"a": "b"}},
           "template": {"metadata": {"labels": {"a": "b"}},
                        "spec": {"containers": [{"name": "c", "image": "x"}]}}}}
    assert call(apiserver, "POST", deps, dep)[0] == 201
    code, scale = call(apiserver, "GET", deps + "/d/scale")
    assert (scale["kind"], scale["apiVersion"], scale["spec"], scale["status"]["selector"]) == \
        ("Scale", "autoscaling/v1", {"replicas": 1}, "a=b")
    code, scale = call(apiserver, "PATCH", deps + "/d/scale", {"spec": {"replicas": 4}},
                       content_type="application/merge-patch+json")
    assert code == 200 and scale["spec"]["replicas"] == 4
    code, got = call(apiserver, "GET", deps + "/d")
    assert got["spec"]["replicas"] == 4 and got["metadata"]["generation"] == 2


def test_discovery(apiserver) -> None:
    code, body = call(apiserver, "GET", "/api/v1")
    pods = next(r for r in body["resources"] if r["name"] == "pods")
    assert pods["shortNames"] == ["po"] and pods["categories"] == ["all"] and "watch" in pods["verbs"]
    code, body = call(apiserver, "GET", "/apis/apps/v1")
    scale = next(r for r in body["resources"] if r["name"] == "deployments/scale")
    assert (scale["group"], scale["version"], scale["kind"]) == ("autoscaling", "v1", "Scale")
    code, body = call(apiserver, "GET", "/apis")
    assert {"apps", "batch", "coordination.k8s.io", "storage.k8s.io"} <= {g["name"] for g in body["groups"]}
    assert call(apiserver, "GET", "/version")[1]["major"] == "1"


def test_builtins(apiserver) -> None:
    code, body = call(apiserver, "GET", "/api/v1/namespaces")
    names = {n["metadata"]["name"] for n in body["items"]}
    assert {"default", "kube-system", "kube-public", "kube-node-lease"} <= names
    code, svc = call(apiserver, "GET", "/api/v1/namespaces/default/services/kubernetes")
    assert svc["spec"]["clusterIP"] == "10.96.0.1"
    assert call(apiserver, "GET", "/api/v1/namespaces/kube-system/serviceaccounts/default")[0] == 200
    code, eps = call(apiserver, "GET", "/api/v1/namespaces/default/endpoints/kubernetes")
    assert eps["subsets"][0]["addresses"] == [{"ip": "127.0.0.1"}]
    assert eps["subsets"][0]["ports"][0]["port"] == apiserver.port
    code, eps = call(apiserver, "GET", "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/kubernetes")
    assert eps["endpoints"][0]["addresses"] == ["127.0.0.1"]


def test_table_response(apiserver, namespace) -> None:
    call(apiserver, "POST", f"/api/v1/namespaces/{namespace}/configmaps", cm("t", a="1", b="2"))
    accept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
    code, table = call(apiserver, "GET", f"/api/v1/namespaces/{namespace}/configmaps", headers={"Accept": accept})
    assert table["kind"] == "Table" and [c["name"] for c in table["columnDefinitions"]] == ["Name", "Data", "Age"]
    assert table["rows"][0]["cells"][:2] == ["t", 2]
    assert table["rows"][0]["object"]["kind"] == "PartialObjectMetadata"


def _svc(name: str, **spec) -> dict:
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
            "spec": {"selector": {"app": name}, "ports": [{"port": 80}], **spec}}


def test_service_ip_and_node_port_allocation(apiserver, namespace) -> None:
    import ipaddress

    base = f"/api/v1/namespaces/{namespace}/services"
    code, a = call(apiserver, "POST", base, _svc("a"))
    code, b = call(apiserver, "POST", base, _svc("b", type="NodePort"))
    ips = [a["spec"]["clusterIP"], b["spec"]["clusterIP"]]
    assert ips[0] != ips[1] and all(ipaddress.ip_address(ip) in ipaddress.ip_network("10.96.0.0/12") for ip in ips)
    assert a["spec"]["clusterIPs"] == [ips[0]] and a["spec"]["ports"][0]["targetPort"] == 80
    node_port = b["spec"]["ports"][0]["nodePort"]
    assert 30000 <= node_port <= 32767
    code, err = call(apiserver, "POST", base, _svc("c", clusterIP=ips[0]))
    assert code == 422 and err["details"]["causes"][0]["field"] == "spec.clusterIPs"
    code, err = call(apiserver, "POST", base, _svc("d", type="NodePort", ports=[{"port": 81, "nodePort": node_port}]))
    assert code == 422
    b["spec"].pop("clusterIP")
    code, updated = call(apiserver, "PUT", base + "/b", b)
    assert updated["spec"]["clusterIP"] == ips[1] and updated["spec"]["ports"][0]["nodePort"] == node_port
    call(apiserver, "DELETE", base + "/a")
    code, again = call(apiserver, "POST", base, _svc("e", clusterIP=ips[0]))
    assert code == 201 and again["spec"]["clusterIP"] == ips[0]
    code, headless = call(apiserver, "POST", base, _svc("h", clusterIP="None"))
    assert code == 201 and headless["spec"]["clusterIP"] == "None"


def test_aggregated_discovery(apiserver) -> None:
    accept = ("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
              "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json")
    resp = apiserver.http().request("GET", apiserver.url + "/apis", headers={"Accept": accept})
    assert resp.headers["Content-Type"] == "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
    body = json.loads(resp.data)
    apps = next(i for i in body["items"] if i["metadata"]["name"] == "apps")
    deployments = next(r for r in apps["versions"][0]["resources"] if r["resource"] == "deployments")
    assert deployments["scope"] == "Namespaced" and deployments["shortNames"] == ["deploy"]
    scale = next(s for s in deployments["subresources"] if s["subresource"] == "scale")
    assert scale["responseKind"] == {"group": "autoscaling", "version": "v1", "kind": "Scale"}
    code, plain = call(apiserver, "GET", "/api")
    assert plain["kind"] == "APIVersions" and plain["versions"] == ["v1"]


def test_deletecollection_and_propagation(apiserver, namespace) -> None:
    base = f"/api/v1/namespaces/{namespace}/configmaps"
    for name, app in (("a", "x"), ("b", "x"), ("c", "y")):
        body = cm(name)
        body["metadata"]["labels"] = {"app": app}
        call(apiserver, "POST", base, body)
    code, gone = call(apiserver, "DELETE", base + "?labelSelector=app%3Dx")
    assert code == 200 and sorted(i["metadata"]["name"] for i in gone["items"]) == ["a", "b"]
    code, left = call(apiserver, "GET", base)
    assert [i["metadata"]["name"] for i in left["items"]] == ["c"]
    code, marked = call(apiserver, "DELETE", base + "/c", {"propagationPolicy": "Foreground"})
    assert marked["metadata"]["finalizers"] == ["foregroundDeletion"] and marked["metadata"]["deletionTimestamp"]


def test_terminating_namespace_refuses_new_objects(apiserver) -> None:
    ns = "term-" + str(time.monotonic_ns())[-8:]
    call(apiserver, "POST", "/api/v1/namespaces", {"metadata": {"name": ns}})
    held = cm("held")
    held["metadata"]["finalizers"] = ["example.com/hold"]
    call(apiserver, "POST", f"/api/v1/namespaces/{ns}/configmaps", held)
    code, marked = call(apiserver, "DELETE", f"/api/v1/namespaces/{ns}")
    assert code == 200 and marked["status"]["phase"] == "Terminating"
    code, err = call(apiserver, "POST", f"/api/v1/namespaces/{ns}/configmaps", cm("late"))
    assert code == 403 and err["reason"] == "Forbidden" and "is being terminated" in err["message"]
    call(apiserver, "PATCH", f"/api/v1/namespaces/{ns}/configmaps/held", {"metadata": {"finalizers": None}},
         content_type="application/merge-patch+json")
    deadline = time.monotonic() + 20
    while call(apiserver, "GET", f"/api/v1/namespaces/{ns}")[0] == 200 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert call(apiserver, "GET", f"/api/v1/namespaces/{ns}")[0] == 404


def test_partial_object_metadata(apiserver, namespace) -> None:
    call(apiserver, "POST", f"/api/v1/namespaces/{namespace}/configmaps", cm("m", a="1"))
    accept = {"Accept": "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io"}
    code, body = call(apiserver, "GET", f"/api/v1/namespaces/{namespace}/configmaps", headers=accept)
    assert body["kind"] == "PartialObjectMetadataList" and body["items"][0]["metadata"]["name"] == "m"
    assert "data" not in body["items"][0]


def test_field_validation_and_pruning(apiserver, namespace) -> None:
    base = f"/api/v1/namespaces/{namespace}/configmaps"
    body = cm("fv")
    body["bogus"] = 1
    code, err = call(apiserver, "POST", base + "?fieldValidation=Strict", body)
    assert code == 400 and 'strict decoding error: unknown field "bogus"' in err["message"]
    resp = apiserver.http().request("POST", apiserver.url + base + "?fieldManager=tester",
                                    body=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    assert resp.status == 201 and resp.headers["Warning"] == '299 - "unknown field \\"bogus\\""'
    created = json.loads(resp.data)
    assert "bogus" not in created
    managers = [(m["manager"], m["operation"]) for m in created["metadata"]["managedFields"]]
    assert managers == [("tester", "Update")]
    assert created["metadata"]["managedFields"][0]["fieldsV1"]["f:data"] == {"f:k": {}} or \
        "f:metadata" in created["metadata"]["managedFields"][0]["fieldsV1"]


def test_concurrent_patches_lose_nothing(apiserver_any, namespace_any) -> None:
    from concurrent.futures import ThreadPoolExecutor

    base = f"/api/v1/namespaces/{namespace_any}/configmaps"
    call(apiserver_any, "POST", base, cm("shared"))

    def label(i: int) -> int:
        return call(apiserver_any, "PATCH", base + "/shared", {"metadata": {"labels": {f"l{i}": "x"}}},
                    content_type="application/merge-patch+json")[0]

    with ThreadPoolExecutor(max_workers=12) as pool:
        codes = list(pool.map(label, range(36)))
    assert codes == [200] * 36
    code, got = call(apiserver_any, "GET", base + "/shared")
    assert {f"l{i}" for i in range(36)} <= set(got["metadata"]["labels"])


def test_events_are_one_storage_in_two_groups(apiserver, namespace) -> None:
    core, new = f"/api/v1/namespaces/{namespace}/events", f"/apis/events.k8s.io/v1/namespaces/{namespace}/events"
    code, _ = call(apiserver, "POST", new, {"metadata": {"name": "via-new"}, "eventTime": "2026-01-01T00:00:00.000000Z",
                                            "reportingController": "ctl", "reportingInstance": "ctl-1",
                                            "action": "Bind", "reason": "Scheduled", "type": "Normal",
                                            "regarding": {"kind": "Pod", "name": "p", "namespace": namespace},
                                            "note": "from events.k8s.io"})
    assert code == 201
    code, seen = call(apiserver, "GET", core + "/via-new")
    assert (seen["apiVersion"], seen["message"], seen["involvedObject"]["name"], seen["reportingComponent"]) == \
        ("v1", "from events.k8s.io", "p", "ctl")
    call(apiserver, "POST", core, {"metadata": {"name": "via-core"}, "message": "from core", "reason": "Pulled",
                                   "involvedObject": {"kind": "Pod", "name": "q", "namespace": namespace},
                                   "count": 2, "type": "Normal"})
    code, listed = call(apiserver, "GET", new + "?fieldSelector=regarding.name%3Dq")
    item = listed["items"][0]
    assert (item["apiVersion"], item["note"], item["deprecatedCount"], item["regarding"]["name"]) == \
        ("events.k8s.io/v1", "from core", 2, "q")
    code, both = call(apiserver, "GET", core)
    assert sorted(i["metadata"]["name"] for i in both["items"]) == ["via-core", "via-new"]


def test_service_type_changes_move_node_ports(apiserver, namespace) -> None:
    base = f"/api/v1/namespaces/{namespace}/services"
    call(apiserver, "POST", base, _svc("t"))
    code, np = call(apiserver, "PATCH", base + "/t", {"spec": {"type": "NodePort"}},
                    content_type="application/merge-patch+json")
    port = np["spec"]["ports"][0]["nodePort"]
    assert code == 200 and 30000 <= port <= 32767
    code, back = call(apiserver, "PATCH", base + "/t", {"spec": {"type": "ClusterIP"}},
                      content_type="application/merge-patch+json")
    assert code == 200 and "nodePort" not in back["spec"]["ports"][0]
    code, reuse = call(apiserver, "POST", base, _svc("u", type="NodePort", ports=[{"port": 80, "nodePort": port}]))
    assert code == 201 and reuse["spec"]["ports"][0]["nodePort"] == port


def test_too_large_body(apiserver, namespace) -> None:
    big = cm("big", blob="x" * (4 * 1024 * 1024))
    code, body = call(apiserver, "POST", f"/api/v1/namespaces/{namespace}/configmaps", big)
    assert (code, body["reason"]) == (413, "RequestEntityTooLarge")


def test_metrics(apiserver, namespace) -> None:
    call(apiserver, "GET", f"/api/v1/namespaces/{namespace}/configmaps")
    call(apiserver, "GET", f"/api/v1/namespaces/{namespace}/configmaps/absent")
    text = apiserver.http().request("GET", apiserver.url + "/metrics").data.decode()
    assert 'apiserver_request_total{code="200",group="",resource="configmaps",subresource="",verb="LIST",' \
           'version="v1"}' in text
    assert 'code="404",group="",resource="configmaps",subresource="",verb="GET"' in text
    assert "apiserver_request_duration_seconds_bucket" in text


def test_access_review_and_verbs(apiserver) -> None:
    path = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"
    code, review = call(apiserver, "POST", path, {"spec": {"resourceAttributes": {"verb": "get", "resource": "pods"}}})
    assert code == 201 and review["status"]["allowed"] is True
    assert call(apiserver, "GET", path)[0] == 405
    assert call(apiserver, "DELETE", "/api/v1/namespaces")[0] == 405
