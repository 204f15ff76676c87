"""Image pulls on the real kubelet with the real rkt from the real docker-registry behind htpasswd: pull Secrets
(the pod's, its ServiceAccount's; dockerconfigjson and dockercfg), wrong credentials ending in ImagePullBackOff
with the registry's 401, imagePullPolicy Never and IfNotPresent, and the events the kubelet writes."""

from __future__ import annotations

import base64
import json

from rktnetes.kubelet import credentials
from tests.fixtures.registry import AUTH_PASSWORD, AUTH_USER


def _secret(kubelet, namespace: str, name: str, registry: str, password: str, legacy: bool = False) -> None:
    auths = {registry: {"auth": base64.b64encode(f"{AUTH_USER}:{password}".encode()).decode()}}
    key, kind = (".dockercfg", "kubernetes.io/dockercfg") if legacy else (".dockerconfigjson",
                                                                          "kubernetes.io/dockerconfigjson")
    body = json.dumps(auths if legacy else {"auths": auths}).encode()
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name, "namespace": namespace},
              "type": kind, "data": {key: base64.b64encode(body).decode()}}
    kubelet.apiserver.kubectl("create", "-f", "-", input=json.dumps(secret))


def _pod(kubelet, namespace: str, name: str, image: str, policy: str | None = None, **spec) -> None:
    container = {"name": "main", "image": image, "command": ["/bin/sh", "-c", "exec sleep 300"],
                 **({"imagePullPolicy": policy} if policy else {})}
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": namespace},
           "spec": {"nodeName": kubelet.node, "containers": [container], "terminationGracePeriodSeconds": 0, **spec}}
    kubelet.apiserver.kubectl("create", "-f", "-", input=json.dumps(pod))


def _waiting(kubelet, namespace: str, name: str) -> dict:
    statuses = kubelet.pod(namespace, name).get("status", {}).get("containerStatuses") or [{}]
    return statuses[0].get("state", {}).get("waiting") or {}


def _events(kubelet, namespace: str, name: str) -> list[tuple[str, str, str]]:
    items = kubelet.kubectl_json("get", "events", "-n", namespace)["items"]
    return [(e["type"], e["reason"], e["message"]) for e in items if e["involvedObject"]["name"] == name]


def test_a_pull_secret_pulls_from_a_registry_that_demands_basic_auth(kubelet, namespace, auth_registry):
    _secret(kubelet, namespace, "regcred", auth_registry, AUTH_PASSWORD)
    image = f"{auth_registry}/private/busybox:latest"
    _pod(kubelet, namespace, "private", image, imagePullSecrets=[{"name": "regcred"}])
    pod = kubelet.wait_phase(namespace, "private", "Running", timeout=90)
    assert pod["status"]["containerStatuses"][0]["imageID"].startswith("sha512-")
    events = _events(kubelet, namespace, "private")
    assert ("Normal", "Pulling", f'Pulling image "{image}"') in events
    pulled = [m for t, r, m in events if r == "Pulled"]
    assert pulled and pulled[0].startswith(f'Successfully pulled image "{image}" in ') and "bytes." in pulled[0]
    configs = credentials.pull_configs_dir(kubelet.root_dir)
    assert configs.stat().st_mode & 0o077 == 0 and list(configs.iterdir()) == []
    assert AUTH_PASSWORD not in kubelet.log.read_text()


def test_the_service_accounts_dockercfg_secret_is_used(kubelet, namespace, auth_registry):
    _secret(kubelet, namespace, "legacy", f"http://{auth_registry}/v2/", AUTH_PASSWORD, legacy=True)
    kubelet.apiserver.kubectl("create", "serviceaccount", "-n", namespace, "puller")
    kubelet.apiserver.kubectl("patch", "serviceaccount", "-n", namespace, "puller", "-p",
                              json.dumps({"imagePullSecrets": [{"name": "legacy"}]}))
    _pod(kubelet, namespace, "by-sa", f"{auth_registry}/private/busybox:v1", "Always", serviceAccountName="puller")
    kubelet.wait_phase(namespace, "by-sa", "Running", timeout=90)


def test_a_wrong_password_backs_off_with_the_registrys_401(kubelet, namespace, auth_registry):
    _secret(kubelet, namespace, "wrong", auth_registry, "not-the-password")
    image = f"{auth_registry}/private/busybox:v1"
    _pod(kubelet, namespace, "denied", image, "Always", imagePullSecrets=[{"name": "wrong"}])
    first = kubelet.wait_for("ErrImagePull", lambda: (w := _waiting(kubelet, namespace, "denied")).get("reason")
                             == "ErrImagePull" and w, timeout=60)
    assert "401" in first["message"]
    backing = kubelet.wait_for("ImagePullBackOff", lambda: (w := _waiting(kubelet, namespace, "denied"))
                               .get("reason") == "ImagePullBackOff" and w, timeout=60)
    assert backing["message"].startswith(f'Back-off pulling image "{image}": ErrImagePull: ') and "401" in \
        backing["message"]
    events = _events(kubelet, namespace, "denied")
    assert any(r == "Failed" and m.startswith(f'Failed to pull image "{image}": ') and "401" in m
               for _, r, m in events)
    assert ("Normal", "BackOff", f'Back-off pulling image "{image}"') in events
    assert ("Warning", "Failed", "Error: ImagePullBackOff") in events
    assert kubelet.pod(namespace, "denied")["status"]["phase"] == "Pending"
    assert "not-the-password" not in kubelet.log.read_text()


def test_never_absent_is_err_image_never_pull_and_if_not_present_uses_the_store(kubelet, namespace):
    missing = f"{kubelet.registry}/busybox:never-fetched"
    _pod(kubelet, namespace, "never", missing, "Never")
    waiting = kubelet.wait_for("ErrImageNeverPull", lambda: (w := _waiting(kubelet, namespace, "never"))
                               .get("reason") == "ErrImageNeverPull" and w)
    assert waiting["message"] == f'Container image "{missing}" is not present with pull policy of Never'
    assert ("Warning", "ErrImageNeverPull", waiting["message"]) in _events(kubelet, namespace, "never")
    image = kubelet.image()
    _pod(kubelet, namespace, "first", image, "Always")
    kubelet.wait_phase(namespace, "first", "Running")
    _pod(kubelet, namespace, "stored", image, "IfNotPresent")
    kubelet.wait_phase(namespace, "stored", "Running")
    events = _events(kubelet, namespace, "stored")
    assert ("Normal", "Pulled", f'Container image "{image}" already present on machine') in events
    assert not any(r == "Pulling" for _, r, _ in events)


def test_no_credentials_for_a_registry_that_demands_them_is_err_image_pull(kubelet, namespace, auth_registry):
    image = f"{auth_registry}/private/busybox:v1"
    _pod(kubelet, namespace, "anonymous", image, "Always", imagePullSecrets=[{"name": "no-such-secret"}])
    waiting = kubelet.wait_for("ErrImagePull", lambda: (w := _waiting(kubelet, namespace, "anonymous"))
                               .get("reason") in ("ErrImagePull", "ImagePullBackOff") and w)
    assert "401 Unauthorized" in waiting["message"] and "asks for basic authentication" in waiting["message"]
    assert ("Warning", "FailedToRetrieveImagePullSecret", "Unable to retrieve some image pull secrets "
            "(no-such-secret); attempting to pull the image may not succeed.") in _events(kubelet, namespace, "anonymous")
