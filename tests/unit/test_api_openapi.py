"""Shape of the OpenAPI documents kubectl reads (explain, fieldValidation support, patch metadata)."""

from __future__ import annotations

import orjson

from rktnetes.api import openapi, resources

TABLE = resources.TABLE


def test_v3_discovery_lists_every_group_version_with_a_stable_hash():
    paths = openapi.v3_paths(TABLE)["paths"]
    assert set(paths) == {openapi.gv_path(g, v) for g, v in resources.group_versions()}
    assert paths["api/v1"]["serverRelativeURL"].startswith("/openapi/v3/api/v1?hash=")
    assert openapi.v3_paths(TABLE) == openapi.v3_paths(TABLE)


def test_v3_document_has_kinds_with_gvk_and_patch_metadata():
    doc = openapi.v3_document(TABLE, "", "v1")
    assert doc["openapi"].startswith("3.")
    schemas = doc["components"]["schemas"]
    pod = schemas[openapi.find_kind(doc, "", "v1", "Pod")]
    assert pod["x-kubernetes-group-version-kind"] == [{"group": "", "kind": "Pod", "version": "v1"}]
    containers = schemas["io.k8s.api.core.v1.PodSpec"]["properties"]["containers"]
    assert containers["x-kubernetes-patch-merge-key"] == "name"
    assert containers["x-kubernetes-patch-strategy"] == "merge"
    assert containers["x-kubernetes-list-map-keys"] == ["name"]
    assert containers["items"] == {"$ref": "#/components/schemas/io.k8s.api.core.v1.Container"}
    assert schemas["io.k8s.api.core.v1.ContainerPort"]["required"] == ["containerPort"]
    assert "io.k8s.api.core.v1.PodList" in schemas


def test_every_ref_resolves():
    for group, version in resources.group_versions():
        doc = openapi.v3_document(TABLE, group, version)
        text = orjson.dumps(doc).decode()
        for ref in set(text.split('"$ref":"')[1:]):
            name = ref.split('"')[0].removeprefix("#/components/schemas/")
            assert name in doc["components"]["schemas"], name


def test_patch_operations_accept_field_validation_for_their_kind():
    for r in TABLE:
        doc = openapi.v3_document(TABLE, r.group, r.version)
        patches = [item["patch"] for item in doc["paths"].values() if "patch" in item and
                   item["patch"]["x-kubernetes-group-version-kind"]["kind"] == r.kind]
        assert patches, r.kind
        for op in patches:
            names = {p["name"] for p in op["parameters"] if p["in"] == "query"}
            assert {"fieldValidation", "fieldManager", "dryRun", "force"} <= names
            assert "application/apply-patch+yaml" in op["requestBody"]["content"]


def test_v2_document_uses_definitions():
    doc = openapi.v2_document(TABLE)
    assert doc["swagger"] == "2.0"
    assert openapi.find_kind(doc, "apps", "v1", "Deployment") == "io.k8s.api.apps.v1.Deployment"
    assert '"#/components' not in orjson.dumps(doc).decode()


def test_v2_protobuf_carries_patch_parameters_and_definitions():
    import yaml

    from rktnetes.api import openapiproto

    body, ctype = openapiproto.v2_response(TABLE, "application/com.github.proto-openapi.spec.v2@v1.0+protobuf")
    assert ctype == "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"
    doc = openapiproto.message("Document").FromString(body)
    assert doc.swagger == "2.0"
    items = {p.name: p.value for p in doc.paths.path}
    patch = items["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"].patch
    gvk = yaml.safe_load(next(e.value.yaml for e in patch.vendor_extension
                              if e.name == "x-kubernetes-group-version-kind"))
    assert gvk == {"group": "apps", "kind": "Deployment", "version": "v1"}
    queries = {p.parameter.non_body_parameter.query_parameter_sub_schema.name for p in patch.parameters}
    assert "fieldValidation" in queries
    definitions = {d.name: d.value for d in doc.definitions.additional_properties}
    spec = {p.name: p.value for p in definitions["io.k8s.api.core.v1.PodSpec"].properties.additional_properties}
    assert spec["containers"].items.schema[0]._ref == "#/definitions/io.k8s.api.core.v1.Container"
    assert list(spec["containers"].type.value) == ["array"]
    assert openapiproto.v2_response(TABLE, "application/json")[1] == "application/json"
