"""A component's own supervisor: runs it as a child and restarts it with backoff whenever it exits, as systemd
does for minikube's units (``Restart=always``). ``python -m rktnetes.cluster.restarting --state FILE -- ARGV``.

Why one small supervisor process per component rather than one for the whole cluster: each component stays
as independent as a systemd unit (one supervisor's trouble never takes another component down), and the
existing stop keeps working unchanged: the supervisor leads the component's process group, so ``stop``
signals both at once and the supervisor, told to stop, never restarts what is being stopped. It imports
nothing heavy (a few MB per component) and has little that can fail.

The state file (JSON, replaced atomically) says what ``rktnetes status`` shows: ``Running`` with the child's
pid and start time, or ``Restarting`` with the last exit status and when the next try is; and how many
restarts there were. The backoff doubles from ``--backoff`` to a cap, and starts over once a run lasted.
"""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from rktnetes.cluster import supervising

CAP = 30.0
STEADY = 60.0  # a run this long resets the backoff: the component was fine until then
RUNNING, RESTARTING = "Running", "Restarting"


@dataclass
class Backoff:
    first: float = 1.0
    cap: float = CAP
    steady: float = STEADY
    delay: float = 0.0

    def after_exit(self, ran_for: float) -> float:
        """Seconds to wait before the next start, given how long the last run lasted."""
        if ran_for >= self.steady or not self.delay:
            self.delay = self.first
        else:
            self.delay = min(self.cap, self.delay * 2)
        return self.delay


def write_state(path: Path, **state: object) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(state))
    tmp.replace(path)


def read_state(path: Path) -> dict:
    """The supervisor's last word on its component; {} if none."""
    try:
        state = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


class Supervisor:
    def __init__(self, name: str, argv: list[str], state: Path, backoff: Backoff) -> None:
        self.name, self.argv, self.state, self.backoff = name, argv, state, backoff
        self.stopping, self.child, self.restarts = False, None, 0

    def _stop(self, signum: int, _frame: object) -> None:
        self.stopping = True
        if self.child is not None and self.child.poll() is None:
            self.child.send_signal(signum)  # it usually has it already: the whole group was signalled

    def _run_once(self) -> tuple[int, float]:
        began = time.monotonic()
        self.child = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL)
        write_state(self.state, state=RUNNING, pid=self.child.pid, started=supervising.start_time(self.child.pid),
                    restarts=self.restarts)
        return self.child.wait(), time.monotonic() - began

    def _pause(self, delay: float, code: int) -> None:
        print(f"rktnetes supervisor: {self.name} exited with status {code}; restarting in {delay:.1f} s "
              f"(restart {self.restarts + 1})", file=sys.stderr, flush=True)
        write_state(self.state, state=RESTARTING, last_exit=code, retry_at=time.time() + delay, restarts=self.restarts)
        deadline = time.monotonic() + delay
        while not self.stopping and time.monotonic() < deadline:
            time.sleep(0.05)

    def run(self) -> int:
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(signum, self._stop)
        code = 0
        while not self.stopping:
            code, ran_for = self._run_once()
            if self.stopping:
                break
            self._pause(self.backoff.after_exit(ran_for), code)
            self.restarts += 1
        return code if code >= 0 else 128 - code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="rktnetes-supervisor")
    parser.add_argument("--name", default="component", help="the component's name, for the log")
    parser.add_argument("--state", type=Path, required=True, help="where to record the component's state")
    parser.add_argument("--backoff", type=float, default=1.0, help="seconds before the first restart")
    parser.add_argument("command", nargs="+", help="the component's command line (after --)")
    args = parser.parse_args(argv)
    return Supervisor(args.name, args.command, args.state, Backoff(first=args.backoff)).run()


if __name__ == "__main__":
    sys.exit(main())
