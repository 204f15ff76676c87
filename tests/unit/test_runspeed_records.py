"""Records behave as the dataclasses they replaced: init, defaults, factories, eq, hash, frozen, as_dict."""

import subprocess
import sys

import pytest

from rktnetes.rkt.records import Factory, FrozenRecordError, Record


class Point(Record, frozen=True):
    x: int
    y: int = 0


class Bag(Record):
    name: str
    items: list[int] = Factory(list)


class Nest(Record):
    point: Point
    pairs: list[tuple[str, str]] = Factory(list)


def test_positional_keyword_and_default_fields():
    assert (Point(1).x, Point(1).y, Point(1, 2).y, Point(y=3, x=4).x) == (1, 0, 2, 4)
    with pytest.raises(TypeError, match="missing required argument 'x'"):
        Point()
    with pytest.raises(TypeError, match="unexpected or repeated argument 'z'"):
        Point(1, z=2)
    with pytest.raises(TypeError, match="unexpected or repeated argument 'x'"):
        Point(1, x=2)
    with pytest.raises(TypeError, match="takes 2 arguments, 3 given"):
        Point(1, 2, 3)


def test_factories_make_a_fresh_default_each_time():
    one, two = Bag("a"), Bag("b")
    one.items.append(1)
    assert two.items == [] and one.items == [1]


def test_equality_hash_and_repr():
    assert Point(1, 2) == Point(1, 2) and Point(1, 2) != Point(2, 1)
    assert len({Point(1, 2), Point(1, 2)}) == 1
    assert Bag("a") == Bag("a", []) and Bag("a") != "a"
    assert Bag.__hash__ is None  # mutable records are unhashable, as dataclasses with eq are
    assert repr(Point(1, 2)) == "Point(x=1, y=2)"


def test_frozen_records_refuse_assignment_and_mutable_ones_accept_it():
    with pytest.raises(FrozenRecordError):
        Point(1).x = 5
    bag = Bag("a")
    bag.name = "b"
    assert bag.name == "b"


def test_as_dict_converts_nested_records_and_keeps_tuples():
    nest = Nest(Point(1, 2), [("a", "b")])
    assert nest.as_dict() == {"point": {"x": 1, "y": 2}, "pairs": [("a", "b")]}


def test_a_net_none_run_path_does_not_load_dataclasses_or_inspect():
    code = ("import sys; from rktnetes.rkt.cli import run, podflags; from rktnetes.rkt.pods import stage0, running;"
            " from rktnetes.rkt.stage1 import supervisor; from rktnetes.rkt.networking import podnet;"
            " print(sorted(m for m in ('dataclasses', 'inspect', 'uuid', 'socket', 'subprocess') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "[]", out.stderr


def test_replace_copies_with_changes_and_checks_names():
    bag = Bag("a", [1])
    other = bag.replace(name="b")
    assert (other, bag, other.items is bag.items) == (Bag("b", [1]), Bag("a", [1]), True)
    assert Point(1, 2).replace(y=5) == Point(1, 5)
    with pytest.raises(TypeError, match="unexpected or repeated argument 'z'"):
        bag.replace(z=1)


def test_list_and_status_do_not_load_dataclasses_or_typing():
    code = ("import sys; from rktnetes.rkt.cli import list, status; from rktnetes.rkt.pods import info;"
            " print(sorted(m for m in ('dataclasses', 'inspect', 'typing') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "[]", out.stderr
