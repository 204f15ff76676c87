"""Plain data records for the ``rkt run`` start path: dataclass behaviour without dataclass start-up cost.

Why it exists: ``dataclasses`` imports ``inspect`` (with ``ast``, ``dis``, ``tokenize``) and compiles three
to five methods per class with ``exec``; the 13 record classes a pod start loads cost ~19 ms of a ~100 ms
``rkt run``. A ``Record`` subclass declares its fields as annotated class attributes, in order, exactly as a
dataclass does (a default makes a field optional; ``Factory(list)`` gives each instance a fresh mutable
default); ``frozen=True`` in the class line makes instances immutable and hashable. One shared
``__init__``, ``__eq__`` and ``__repr__`` serve every record; ``as_dict`` is ``dataclasses.asdict`` and
``replace`` is ``dataclasses.replace``.
"""

from __future__ import annotations

from collections.abc import Callable

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs every rkt run ~3 ms
if TYPE_CHECKING:
    from typing import Any, ClassVar


class Factory:
    """A field default made anew for each instance (``dataclasses.field(default_factory=…)``)."""

    def __init__(self, make: Callable[[], Any]) -> None:
        self.make = make


class FrozenRecordError(AttributeError):
    """Assignment to a field of a frozen record."""


class Record:
    _fields: ClassVar[tuple[str, ...]] = ()
    _defaults: ClassVar[dict[str, Any]] = {}
    _frozen: ClassVar[bool] = False

    def __init_subclass__(cls, frozen: bool = False, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        own = [n for n, kind in cls.__dict__.get("__annotations__", {}).items()
               if not str(kind).startswith("ClassVar")]
        cls._fields = tuple(dict.fromkeys([*cls._fields, *own]))
        cls._defaults = {**cls._defaults, **{n: cls.__dict__[n] for n in own if n in cls.__dict__}}
        cls._frozen = frozen or cls._frozen
        cls.__hash__ = Record._hash if cls._frozen else None  # type: ignore[method-assign,assignment]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if len(args) > len(self._fields):
            raise TypeError(f"{type(self).__name__}() takes {len(self._fields)} arguments, {len(args)} given")
        values = dict(zip(self._fields, args, strict=False))
        for name, value in kwargs.items():
            if name not in self._fields or name in values:
                raise TypeError(f"{type(self).__name__}() got an unexpected or repeated argument {name!r}")
            values[name] = value
        for name in self._fields:
            object.__setattr__(self, name, values[name] if name in values else self._default(name))

    def _default(self, name: str) -> Any:
        if name not in self._defaults:
            raise TypeError(f"{type(self).__name__}() missing required argument {name!r}")
        default = self._defaults[name]
        return default.make() if isinstance(default, Factory) else default

    def __setattr__(self, name: str, value: Any) -> None:
        if self._frozen:
            raise FrozenRecordError(f"cannot assign to field {name!r} of a frozen {type(self).__name__}")
        object.__setattr__(self, name, value)

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self._fields)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()  # type: ignore[attr-defined]

    def _hash(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{type(self).__qualname__}({inner})"

    def replace(self, **changes: Any) -> Record:
        """A copy with ``changes`` applied to its fields (``dataclasses.replace``)."""
        return type(self)(**{**dict(zip(self._fields, self._values(), strict=True)), **changes})

    def as_dict(self) -> dict[str, Any]:
        """Fields as a dict, nested records, lists, tuples and dicts converted too (``asdict``)."""
        return {name: _plain(getattr(self, name)) for name in self._fields}


def _plain(value: Any) -> Any:
    if isinstance(value, Record):
        return value.as_dict()
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(v) for v in value)
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items()}
    return value
