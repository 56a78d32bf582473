"""records: the standard library's dataclass semantics, through the generic __init__ a class
starts with and through the generated one it switches to."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, ClassVar

import pytest

from conda_forge_like import _records, records

CALLS: list[tuple[tuple[Any, ...], dict[str, Any]]] = [
    ((), {}),
    ((1,), {}),
    ((1, 2), {}),
    ((1, 2, [3]), {}),
    ((1, 2, [3], 4), {}),
    ((1,), {"b": 5}),
    ((), {"a": 1, "b": 2, "c": [9]}),
    ((1,), {"a": 2}),
    ((), {"zz": 1}),
]


def _shapes(make: Callable[..., Any], field: Callable[..., Any]) -> list[type]:
    @make
    class Plain:
        a: int
        b: int = 2
        c: list[int] = field(default_factory=list)

    @make(frozen=True)
    class Frozen:
        a: int
        b: int = 2
        c: list[int] = field(default_factory=lambda: [7])
        d: int = field(default=4, init=False)
        e: list[int] = field(default_factory=list, init=False)
        k: ClassVar[int] = 3

    @make
    class Posted:
        a: int
        b: int = 0
        c: list[int] = field(default_factory=list)

        def __post_init__(self) -> None:
            self.total = self.a + self.b

    @make
    class Base:
        a: int

    @make
    class Child(Base):
        b: int = 1
        c: list[int] = field(default_factory=list)

    @make
    class Empty:
        pass

    return [Plain, Frozen, Posted, Child, Empty]


def _outcome(cls: type, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    try:
        made = cls(*args, **kwargs)
    except TypeError as exc:
        return "TypeError", str(exc).split("()", 1)[-1]  # the message, not the function name
    names = [f.name for f in dataclasses.fields(cls)] if dataclasses.is_dataclass(cls) else []
    names += [f.name for f in records.fields(cls)] if records.is_dataclass(cls) else []
    return {name: getattr(made, name) for name in [*names, "total"] if hasattr(made, name)}


@pytest.mark.parametrize("compiled", [False, True])
def test_init_behaves_as_dataclasses(compiled: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_records, "COMPILE_AFTER", 0 if compiled else 10**9)
    ours = _shapes(records.dataclass, records.field)
    theirs = _shapes(dataclasses.dataclass, dataclasses.field)
    for mine, std in zip(ours, theirs, strict=True):
        for args, kwargs in CALLS:
            args = args if mine.__name__ != "Empty" else args[:0]
            assert _outcome(mine, args, kwargs) == _outcome(std, args, kwargs), (mine, args, kwargs)


def test_a_class_switches_to_its_generated_init_after_its_first_instances() -> None:
    @records.dataclass(frozen=True)
    class Point:
        x: int
        y: int = 0

    first = Point.__init__
    for n in range(_records.COMPILE_AFTER):
        assert Point(n).x == n
    assert Point.__init__ is first  # still the generic one
    assert Point(1, y=2) == Point(1, 2)  # the call after the last generic one compiles
    assert Point.__init__ is not first
    with pytest.raises(records.FrozenInstanceError):
        Point(1).x = 2  # type: ignore[misc]


def test_a_default_before_a_required_field_fails_at_first_use() -> None:
    @records.dataclass
    class Bad:
        a: int = 1
        b: int  # type: ignore[misc]

    with pytest.raises(TypeError, match="non-default argument 'b' follows default argument"):
        Bad()
