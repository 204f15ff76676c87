"""Every on-disk path of the API server, under its data directory, from one named helper each."""

from __future__ import annotations

from pathlib import Path


def pki_dir(data_dir: Path) -> Path:
    return data_dir / "pki"


def ca_cert_path(data_dir: Path) -> Path:
    return pki_dir(data_dir) / "ca.crt"


def ca_key_path(data_dir: Path) -> Path:
    return pki_dir(data_dir) / "ca.key"


def serving_cert_path(data_dir: Path) -> Path:
    return pki_dir(data_dir) / "apiserver.crt"


def serving_key_path(data_dir: Path) -> Path:
    return pki_dir(data_dir) / "apiserver.key"


def client_cert_path(data_dir: Path, user: str) -> Path:
    return pki_dir(data_dir) / f"{user}.crt"


def client_key_path(data_dir: Path, user: str) -> Path:
    return pki_dir(data_dir) / f"{user}.key"


def token_file_path(data_dir: Path) -> Path:
    """A kube-apiserver ``--token-auth-file``: ``token,user,uid,"group1,group2"`` per line."""
    return data_dir / "tokens.csv"


def kubeconfig_path(data_dir: Path) -> Path:
    """The admin kubeconfig written when no ``--kubeconfig`` is given."""
    return data_dir / "admin.kubeconfig"


def default_store_url(data_dir: Path) -> str:
    return f"sqlite://{(data_dir / 'state.db').resolve()}"


def sa_key_path(data_dir: Path) -> Path:
    """The key that signs ServiceAccount tokens."""
    return pki_dir(data_dir) / "sa.key"
