"""Fixtures shared by every tier. Component fixtures live in ``tests/fixtures/``, one module each."""

from __future__ import annotations

import asyncio
import os
import pkgutil
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

pytest_plugins = sorted(
    f"tests.fixtures.{m.name}" for m in pkgutil.iter_modules([str(Path(__file__).parent / "fixtures")])
)


def require_root() -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root")


def require_binary(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed: run `make deps`")
    return path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (for servers a test or bench starts)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def settle(rounds: int = 50) -> None:
    """Yield to the event loop ``rounds`` times: enough for queued events to reach their handlers (no clock)."""
    for _ in range(rounds):
        await asyncio.sleep(0)


def stop_process(process: subprocess.Popen, grace: float = 10.0) -> int | None:
    """SIGTERM a child, SIGKILL it if it is still there after ``grace`` seconds; its exit code."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    return process.returncode
