"""Sentinel errors of the API server process itself (configuration, certificates); request errors are
``rktnetes.api.errors.APIError`` Status objects."""

from __future__ import annotations


class ApiServerError(Exception):
    """An error with a one-line message meant for the operator."""


class BadTokenFile(ApiServerError):
    """A line of the static token file is not ``token,user,uid[,"groups"]``."""


class BadCertificate(ApiServerError):
    """A certificate or key in the PKI directory cannot be loaded."""
