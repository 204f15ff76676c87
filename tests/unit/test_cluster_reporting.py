"""``rktnetes status`` rows and ``rktnetes service`` URLs, on a profile with no process running and a
stand-in for the API server's answers."""

from __future__ import annotations

import pytest

from rktnetes.client import errors as client_errors
from rktnetes.cluster import clusterapi, errors, reporting
from rktnetes.cluster.profiles import Profile
from rktnetes.cluster.spec import ClusterSpec


@pytest.fixture
def profile(tmp_path, monkeypatch):
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "kubeconfig"))
    made = Profile(tmp_path, "p")
    made.save(ClusterSpec(profile="p", nodes=2))
    return made


def test_a_stopped_profile_reports_everything_stopped(profile):
    rows = reporting.status(profile, profile.spec())
    assert rows[0] == ("apiserver", "Stopped") and rows[-1] == ("kubeconfig", "Misconfigured")
    assert ("  kubelet", "Stopped") in rows and ("  Ready", "Unknown") in rows
    assert sum(what.startswith("node ") for what, _ in rows) == 2
    assert not reporting.all_running(rows)
    assert reporting.all_running([("apiserver", "Running"), ("  Ready", "True")])


def _service(ports, kind="NodePort"):
    return {"spec": {"type": kind, "ports": ports}}


def test_service_urls_name_every_node_and_node_port(profile, monkeypatch):
    ports = [{"name": "http", "port": 80, "nodePort": 30080}, {"port": 443, "nodePort": 30443}]
    monkeypatch.setattr(clusterapi, "get", lambda *a: _service(ports))
    urls = reporting.service_urls(profile, profile.spec(), "web", "default")
    assert urls == [("http", "http://192.168.49.2:30080"), ("443", "http://192.168.49.2:30443"),
                    ("http", "http://192.168.49.3:30080"), ("443", "http://192.168.49.3:30443")]


def test_service_without_node_port_or_missing_is_a_clear_error(profile, monkeypatch):
    monkeypatch.setattr(clusterapi, "get", lambda *a: _service([{"port": 80}], "ClusterIP"))
    with pytest.raises(errors.NoService, match="ClusterIP with no NodePort"):
        reporting.service_urls(profile, profile.spec(), "web", "default")

    def missing(*a):
        raise client_errors.NotFound(404, "NotFound", "services \"web\" not found")
    monkeypatch.setattr(clusterapi, "get", missing)
    with pytest.raises(errors.NoService, match="no service 'web' in namespace 'default'"):
        reporting.service_urls(profile, profile.spec(), "web", "default")
