"""A profile: one local cluster's state directory and its settings, locked while a command changes it."""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
from collections.abc import Iterator
from pathlib import Path

from rktnetes.cluster import errors, layout, restarting, supervising
from rktnetes.cluster.spec import ClusterSpec


class Profile:
    def __init__(self, base: Path, name: str) -> None:
        self.name = name
        self.dir = layout.profile_dir(base.absolute(), name)

    def exists(self) -> bool:
        return layout.spec_path(self.dir).exists()

    def spec(self) -> ClusterSpec:
        """The settings it was started with; NoProfile if it never was."""
        try:
            return ClusterSpec.from_json(layout.spec_path(self.dir).read_text())
        except FileNotFoundError:
            raise errors.NoProfile(f"profile {self.name!r} does not exist (rktnetes start -p {self.name})") from None

    def settle(self, asked: dict) -> ClusterSpec:
        """The spec to start: the saved one with the flags given now (``asked``: only those set) on top; a
        change of the node count or subnet of an existing profile is refused (delete it first)."""
        base = self.spec() if self.exists() else ClusterSpec(profile=self.name)
        spec = dataclasses.replace(base, **asked).validate()
        if self.exists() and (spec.nodes, spec.subnet) != (base.nodes, base.subnet):
            raise errors.BadSpec(f"profile {self.name!r} has {base.nodes} node(s) on {base.subnet}; "
                                 f"`rktnetes delete -p {self.name}` first to change that")
        return spec

    def save(self, spec: ClusterSpec) -> None:
        path = layout.spec_path(self.dir)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(spec.to_json())

    def pid_file(self, component: str) -> Path:
        return layout.pid_path(self.dir, component)

    def log(self, component: str) -> Path:
        return layout.log_path(self.dir, component)

    def state_file(self, component: str) -> Path:
        return layout.state_path(self.dir, component)

    def running(self, component: str) -> int | None:
        """The pid of the component's supervisor, if it runs (the component itself may be restarting)."""
        return supervising.running(self.pid_file(component))

    def state(self, component: str) -> dict:
        """Its supervisor's record: ``state`` Running (``pid``) or Restarting (``last_exit``), ``restarts``."""
        return restarting.read_state(self.state_file(component)) if self.running(component) else {}

    def launch(self, component: str, argv: list[str], netns: str | None = None) -> None:
        """Start the component under its supervisor unless that runs already."""
        if self.running(component) is None:
            supervising.start(argv, self.log(component), self.pid_file(component), netns, self.state_file(component))

    def halt(self, component: str) -> bool:
        """Stop the component and its supervisor; True if either ran."""
        return supervising.stop(self.pid_file(component), state=self.state_file(component))

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Held by start, stop and delete, so two of them never work on one profile at once."""
        path = layout.lock_path(self.dir)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise errors.Busy(f"another rktnetes command is working on profile {self.name!r}") from None
            yield
