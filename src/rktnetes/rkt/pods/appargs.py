"""Parsing of ``rkt run``'s image list, where each image carries its own app flags.

``IMAGE [--exec=X --name=N …] [-- ARG… ---] [IMAGE2 …]``: flags after an image belong to that app; ``--``
starts the app's arguments and ``---`` ends them. argparse cannot attach flags to the positional before
them, hence this small parser. Values are checked here so bad input fails before anything is written.
"""

from __future__ import annotations

import re

from rktnetes.rkt.pods import errors
from rktnetes.rkt.records import Factory, Record

_NAME = r"^[a-z0-9]+(-[a-z0-9]+)*$"  # compiled by re on first use: most pod starts never need it
_ENV = r"^[A-Za-z_][A-Za-z0-9_]*="
_UNITS = {"": 1, "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12,
          "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40}
STDIN_MODES = ("null", "stream", "tty")
STDIN_ANNOTATION = "coreos.com/rkt/stage2/stdin"  # on the app in the pod manifest, as rkt's attach had it
_QUANTITY = r"^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T|m)?$"


class AppSpec(Record):
    image: str
    exec: str | None = None
    args: list[str] = Factory(list)
    name: str | None = None
    user: str | None = None
    group: str | None = None
    supplementary_gids: list[int] = Factory(list)
    working_dir: str | None = None
    readonly_rootfs: bool = False
    environment: dict[str, str] = Factory(dict)
    mounts: list[tuple[str, str]] = Factory(list)
    memory: int | None = None
    cpu_millis: int | None = None
    cpu_shares: int | None = None
    oom_score_adj: int | None = None
    caps_retain: list[str] | None = None
    caps_remove: list[str] | None = None
    seccomp: str | None = None
    stdin: str = "null"  # null | stream (a FIFO) | tty (a FIFO into the app's terminal)


def parse_quantity(text: str, *, millis: bool = False) -> int:
    """``42Mi`` → bytes; with ``millis``, ``500m``/``1.5`` → millicores."""
    match = re.match(_QUANTITY, text.strip())
    unit = (match.group(2) or "") if match else "?"
    if unit not in (("", "m") if millis else _UNITS):
        raise errors.BadAppFlag(f"invalid quantity {text!r}")
    number = float(match.group(1))
    if millis:
        return int(number) if unit == "m" else int(number * 1000)
    return int(number * _UNITS[unit])


def _ints(text: str) -> list[int]:
    try:
        return [int(v) for v in text.split(",") if v]
    except ValueError:
        raise errors.BadAppFlag(f"invalid list of numbers {text!r}") from None


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise errors.BadAppFlag(f"invalid number {text!r}") from None


def _mount(text: str) -> tuple[str, str]:
    pairs = dict(kv.split("=", 1) for kv in text.split(",") if "=" in kv)
    if set(pairs) != {"volume", "target"} or not pairs["target"].startswith("/"):
        raise errors.BadAppFlag(f"--mount wants volume=NAME,target=/PATH, got {text!r}")
    return pairs["volume"], pairs["target"]


def _caps(text: str) -> list[str]:
    caps = [c.strip().upper() for c in text.split(",") if c.strip()]
    return [c if c.startswith("CAP_") else f"CAP_{c}" for c in caps]


def _bool(text: str) -> bool:
    if text.lower() not in ("true", "false", "1", "0"):
        raise errors.BadAppFlag(f"invalid boolean {text!r}")
    return text.lower() in ("true", "1")


def _env(text: str) -> tuple[str, str]:
    if not re.match(_ENV, text):
        raise errors.BadAppFlag(f"--environment wants NAME=VALUE, got {text!r}")
    name, value = text.split("=", 1)
    return name, value


def _set_name(app: AppSpec, value: str) -> None:
    if not re.match(_NAME, value):
        raise errors.BadAppFlag(f"invalid app name {value!r}")
    app.name = value


def _set_stdin(app: AppSpec, value: str) -> None:
    if value not in STDIN_MODES:
        raise errors.BadAppFlag(f"--stdin wants one of {', '.join(STDIN_MODES)}, got {value!r}")
    app.stdin = value


def _set_exec(app: AppSpec, value: str) -> None:
    if not value.startswith("/"):
        raise errors.BadAppFlag(f"--exec wants an absolute path, got {value!r}")
    app.exec = value


_SETTERS = {
    "exec": _set_exec,
    "name": _set_name,
    "user": lambda a, v: setattr(a, "user", v),
    "group": lambda a, v: setattr(a, "group", v),
    "supplementary-gids": lambda a, v: setattr(a, "supplementary_gids", _ints(v)),
    "working-dir": lambda a, v: setattr(a, "working_dir", v),
    "readonly-rootfs": lambda a, v: setattr(a, "readonly_rootfs", _bool(v)),
    "environment": lambda a, v: a.environment.__setitem__(*_env(v)),
    "mount": lambda a, v: a.mounts.append(_mount(v)),
    "memory": lambda a, v: setattr(a, "memory", parse_quantity(v)),
    "cpu": lambda a, v: setattr(a, "cpu_millis", parse_quantity(v, millis=True)),
    "cpu-shares": lambda a, v: setattr(a, "cpu_shares", _int(v)),
    "oom-score-adj": lambda a, v: setattr(a, "oom_score_adj", _int(v)),
    "caps-retain": lambda a, v: setattr(a, "caps_retain", _caps(v)),
    "caps-remove": lambda a, v: setattr(a, "caps_remove", _caps(v)),
    "seccomp": lambda a, v: setattr(a, "seccomp", v),
    "stdin": _set_stdin,
}
_BOOLEAN = {"readonly-rootfs"}
FLAGS = tuple(_SETTERS)  # every app flag's name, for help


def parse(words: list[str]) -> list[AppSpec]:
    """Split ``IMAGE [app flags] [-- args ---] …`` into one AppSpec per image."""
    apps: list[AppSpec] = []
    i = 0
    while i < len(words):
        word = words[i]
        if word == "--" and apps:
            i = _take_args(apps[-1], words, i + 1)
        elif word.startswith("--") and word != "---":
            i = _take_flag(apps, words, i)
        elif word != "---":
            apps.append(AppSpec(image=word))
            i += 1
        else:
            i += 1
    return apps


def _take_args(app: AppSpec, words: list[str], i: int) -> int:
    while i < len(words) and words[i] != "---":
        app.args.append(words[i])
        i += 1
    return i + 1


def _take_flag(apps: list[AppSpec], words: list[str], i: int) -> int:
    flag, eq, value = words[i][2:].partition("=")
    if flag not in _SETTERS:
        raise errors.BadAppFlag(f"unknown app flag --{flag}")
    if not apps:
        raise errors.BadAppFlag(f"app flag --{flag} given before any image")
    if not eq and flag in _BOOLEAN:
        value, used = "true", 1
    elif not eq:
        if i + 1 >= len(words):
            raise errors.BadAppFlag(f"app flag --{flag} needs a value")
        value, used = words[i + 1], 2
    else:
        used = 1
    _SETTERS[flag](apps[-1], value)
    return i + used
