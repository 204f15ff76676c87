"""ServiceAccount token signing and verification."""

from __future__ import annotations

import time

from rktnetes.apiserver import tokens

ACCOUNT = {"metadata": {"name": "default", "namespace": "ns", "uid": "u-1"}}


def test_issue_and_verify(tmp_path) -> None:
    signer = tokens.Signer(tmp_path)
    claims = tokens.claims_for(ACCOUNT, {"expirationSeconds": 1200})
    token = signer.issue(claims)
    got = signer.verify(token)
    assert got["sub"] == "system:serviceaccount:ns:default" and got["kubernetes.io"]["serviceaccount"]["uid"] == "u-1"
    assert got["exp"] - got["iat"] == 1200
    assert tokens.Signer(tmp_path).verify(token) == got  # the key survives a restart


def test_refused_tokens(tmp_path) -> None:
    signer = tokens.Signer(tmp_path)
    expired = dict(tokens.claims_for(ACCOUNT, {}), exp=int(time.time()) - 1)
    assert signer.verify(signer.issue(expired)) is None
    assert signer.verify(signer.issue(tokens.claims_for(ACCOUNT, {"audiences": ["other"]}))) is None
    assert tokens.Signer(tmp_path / "elsewhere").verify(signer.issue(tokens.claims_for(ACCOUNT, {}))) is None
    assert signer.verify("not.a.token") is None and signer.verify("garbage") is None
    assert tokens.claims_for(ACCOUNT, {"expirationSeconds": 5})["exp"] - int(time.time()) >= 599
