"""Applying transactions to the proxy's nftables table with the real ``nft`` (one process per transaction)."""

from __future__ import annotations

import json
from pathlib import Path

from rktnetes.proxy import errors, naming, netns


def _run(namespace: Path | None, argv: list[str], stdin: str | None = None) -> str:
    result = netns.run(namespace, ["nft", *argv], stdin)
    if result.returncode != 0:
        first = (result.stderr.strip().splitlines() or ["(no message)"])[0]
        raise errors.RulesError(f"nft {' '.join(argv)} failed: {first}")
    return result.stdout


def apply(namespace: Path | None, transaction: str) -> None:
    """Apply ``transaction`` atomically (all or nothing)."""
    _run(namespace, ["-f", "-"], transaction)


def check(namespace: Path | None, transaction: str) -> None:
    """Let nft parse and validate ``transaction`` against the kernel without committing it."""
    _run(namespace, ["-c", "-f", "-"], transaction)


def table_exists(namespace: Path | None) -> bool:
    result = netns.run(namespace, ["nft", "list", "table", naming.FAMILY, naming.TABLE])
    return result.returncode == 0


def list_tables(namespace: Path | None) -> list[str]:
    """``family name`` of every table in the namespace's ruleset."""
    listing = json.loads(_run(namespace, ["-j", "list", "tables"]) or "{}")
    return [f"{item['table']['family']} {item['table']['name']}" for item in listing.get("nftables", [])
            if "table" in item]
