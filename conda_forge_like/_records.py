"""The implementation behind ``conda_forge_like.records`` (see there for why it exists).

Semantics follow the standard library's ``dataclasses`` for what cfl uses: fields from the
class's own annotations after its bases' (``ClassVar`` left out), ``field(default=...,
default_factory=..., repr=..., compare=..., hash=..., init=...)``, defaults kept as class
attributes, ``frozen``, ``eq``, ``order``, ``unsafe_hash``, ``__post_init__``, and methods a
class body defines itself left alone. What differs: ``__init__`` is a generic one for a class's
first instances and is generated only for a class that makes many, never when the class is
defined; ``__eq__``, ``__hash__``, ``__repr__`` and the order methods are shared functions over
an ``operator.attrgetter`` of the fields, not code generated per class; a recursive ``repr`` is
not guarded.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from typing import Any, TypeVar

T = TypeVar("T")

_FIELDS = "__record_fields__"


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


class FrozenInstanceError(AttributeError):
    """Assigning to a field of a frozen record."""


class Field:
    """One field of a record class (what ``dataclasses.Field`` is to a dataclass)."""

    __slots__ = ("compare", "default", "default_factory", "hash", "init", "name", "repr")

    def __init__(
        self,
        default: Any = MISSING,
        default_factory: Any = MISSING,
        init: bool = True,
        repr: bool = True,
        hash: bool | None = None,
        compare: bool = True,
    ) -> None:
        if default is not MISSING and default_factory is not MISSING:
            raise ValueError("cannot specify both default and default_factory")
        self.name = ""
        self.default = default
        self.default_factory = default_factory
        self.init = init
        self.repr = repr
        self.hash = hash
        self.compare = compare

    def __repr__(self) -> str:
        return f"Field(name={self.name!r}, default={self.default!r})"


def field(
    *,
    default: Any = MISSING,
    default_factory: Any = MISSING,
    init: bool = True,
    repr: bool = True,
    hash: bool | None = None,
    compare: bool = True,
) -> Any:
    return Field(default, default_factory, init, repr, hash, compare)


def _is_classvar(annotation: Any) -> bool:
    if isinstance(annotation, str):
        text = annotation.strip()
        return text.startswith(("ClassVar", "typing.ClassVar", "t.ClassVar"))
    origin = getattr(annotation, "__origin__", annotation)
    return getattr(origin, "_name", None) == "ClassVar"


def dataclass(
    cls: type[T] | None = None,
    /,
    *,
    init: bool = True,
    repr: bool = True,
    eq: bool = True,
    order: bool = False,
    unsafe_hash: bool = False,
    frozen: bool = False,
) -> Any:
    def wrap(cls: type[T]) -> type[T]:
        made: type[T] = _process(cls, init, repr, eq, order, unsafe_hash, frozen)
        return made

    return wrap if cls is None else wrap(cls)


def _process(
    cls: Any, init: bool, want_repr: bool, eq: bool, order: bool, unsafe_hash: bool,
    frozen: bool,
) -> Any:  # fmt: skip
    fields: dict[str, Field] = {}
    for base in reversed(cls.__mro__[1:]):
        for f in base.__dict__.get(_FIELDS, ()):
            fields[f.name] = f
    own = cls.__dict__
    for name, annotation in own.get("__annotations__", {}).items():
        if _is_classvar(annotation):
            continue
        value = own.get(name, MISSING)
        f = value if isinstance(value, Field) else Field(default=value)
        f.name = name
        if isinstance(value, Field):
            if f.default is MISSING:
                delattr(cls, name)
            else:
                setattr(cls, name, f.default)
        fields[name] = f
    every = tuple(fields.values())
    setattr(cls, _FIELDS, every)
    cls.__record_frozen__ = frozen
    setattr(cls, "__match_args__", tuple(f.name for f in every if f.init))  # noqa: B010

    def put(name: str, value: Any) -> None:
        if name not in own:
            setattr(cls, name, value)

    if init:
        put("__init__", _lazy_init(cls))
    if want_repr:
        put("__repr__", _repr_for(tuple(f.name for f in every if f.repr)))
    compared = tuple(f.name for f in every if f.compare)
    key = _key(compared)
    if eq:
        put("__eq__", _eq_for(key))
    if order:
        for name, op in (("__lt__", "lt"), ("__le__", "le"), ("__gt__", "gt"), ("__ge__", "ge")):
            put(name, _order_for(key, op))
    class_hash = own.get("__hash__", MISSING)
    explicit_hash = not (class_hash is MISSING or (class_hash is None and "__eq__" in own))
    hashed = _key(tuple(f.name for f in every if (f.compare if f.hash is None else f.hash)))
    if unsafe_hash or (eq and frozen and not explicit_hash):
        cls.__hash__ = _hash_for(hashed)
    elif eq and not frozen and not explicit_hash:
        cls.__hash__ = None
    if frozen:
        names = frozenset(fields)
        cls.__setattr__ = _frozen_setattr(cls, names)
        cls.__delattr__ = _frozen_delattr(cls, names)
    return cls


def _key(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    if not names:
        return lambda obj: ()
    if len(names) == 1:
        one = attrgetter(names[0])
        return lambda obj: (one(obj),)
    return attrgetter(*names)


def _repr_for(names: tuple[str, ...]) -> Callable[[Any], str]:
    def __repr__(self: Any) -> str:
        inner = ", ".join(f"{n}={getattr(self, n)!r}" for n in names)
        return f"{self.__class__.__qualname__}({inner})"

    return __repr__


def _eq_for(key: Callable[[Any], tuple[Any, ...]]) -> Callable[[Any, Any], Any]:
    def __eq__(self: Any, other: Any) -> Any:
        if other.__class__ is self.__class__:
            return self is other or key(self) == key(other)
        return NotImplemented

    return __eq__


def _order_for(key: Callable[[Any], tuple[Any, ...]], op: str) -> Callable[[Any, Any], Any]:
    compare = getattr(tuple, f"__{op}__")

    def method(self: Any, other: Any) -> Any:
        if other.__class__ is self.__class__:
            return compare(key(self), key(other))
        return NotImplemented

    method.__name__ = f"__{op}__"
    return method


def _hash_for(key: Callable[[Any], tuple[Any, ...]]) -> Callable[[Any], int]:
    def __hash__(self: Any) -> int:
        return hash(key(self))

    return __hash__


def _frozen_setattr(cls: Any, names: frozenset[str]) -> Callable[[Any, str, Any], None]:
    def __setattr__(self: Any, name: str, value: Any) -> None:
        if type(self) is cls or name in names:
            raise FrozenInstanceError(f"cannot assign to field {name!r}")
        super(cls, self).__setattr__(name, value)

    return __setattr__


def _frozen_delattr(cls: Any, names: frozenset[str]) -> Callable[[Any, str], None]:
    def __delattr__(self: Any, name: str) -> None:
        if type(self) is cls or name in names:
            raise FrozenInstanceError(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)

    return __delattr__


COMPILE_AFTER = 16  # instances a class makes through the generic __init__ before its own


def _lazy_init(cls: type) -> Callable[..., None]:
    """The ``__init__`` a class starts with: the generic one below (no code generated: most
    record classes are instantiated a few times per command, and generating one costs about
    0.2 ms), replaced by the generated ``__init__`` once the class has made ``COMPILE_AFTER``
    instances (that one is three times faster per call)."""
    plan: _Plan | None = None  # worked out by the first call
    made = 0

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        nonlocal made, plan
        made += 1
        if made > COMPILE_AFTER:
            real = _make_init(cls)
            cls.__init__ = real  # type: ignore[misc]
            real(self, *args, **kwargs)
            return
        if plan is None:
            plan = _init_plan(cls)
        _generic_init(cls, plan, self, args, kwargs)

    __init__.__qualname__ = f"{cls.__qualname__}.__init__"
    return __init__


_REQUIRED, _DEFAULT, _FACTORY, _FIXED, _MADE = range(5)
# (parameters, (field, how, default or factory) per field, frozen, has __post_init__)
_Plan = tuple[tuple[str, ...], list[tuple[str, int, Any]], bool, bool]


def _init_plan(cls: type) -> _Plan:
    """The parameters of the generated ``__init__`` and how each field gets its value."""
    params: list[str] = []
    steps: list[tuple[str, int, Any]] = []
    seen_default = False
    for f in getattr(cls, _FIELDS):
        if f.init:
            params.append(f.name)
            if f.default is not MISSING:
                steps.append((f.name, _DEFAULT, f.default))
                seen_default = True
            elif f.default_factory is not MISSING:
                steps.append((f.name, _FACTORY, f.default_factory))
                seen_default = True
            else:
                if seen_default:
                    raise TypeError(f"non-default argument {f.name!r} follows default argument")
                steps.append((f.name, _REQUIRED, None))
        elif f.default is not MISSING:
            steps.append((f.name, _FIXED, f.default))
        elif f.default_factory is not MISSING:
            steps.append((f.name, _MADE, f.default_factory))
    frozen = bool(cls.__dict__.get("__record_frozen__", False))
    return tuple(params), steps, frozen, hasattr(cls, "__post_init__")


def _generic_init(
    cls: type,
    plan: _Plan,
    self: Any,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> None:
    """What the generated ``__init__`` does, argument errors included, without generating it."""
    params, steps, frozen, post_init = plan
    where = f"{cls.__qualname__}.__init__()"
    if len(args) > len(params):
        most = len(params) + 1  # self too, as Python counts
        least = 1 + sum(1 for _, how, _ in steps if how == _REQUIRED)
        takes = f"{most} positional argument{'s' * (most != 1)}"
        if least != most:
            takes = f"from {least} to {most} positional arguments"
        raise TypeError(f"{where} takes {takes} but {len(args) + 1} were given")
    given = dict(zip(params, args, strict=False))  # checked: no more args than params
    for key, value in kwargs.items():
        if key not in params:
            raise TypeError(f"{where} got an unexpected keyword argument {key!r}")
        if key in given:
            raise TypeError(f"{where} got multiple values for argument {key!r}")
        given[key] = value
    missing = [name for name, how, _ in steps if how == _REQUIRED and name not in given]
    if missing:
        quoted = [repr(name) for name in missing]
        listed = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]
        plural = "argument" if len(missing) == 1 else "arguments"
        raise TypeError(f"{where} missing {len(missing)} required positional {plural}: {listed}")
    target = self.__dict__
    for name, how, extra in steps:
        if how == _REQUIRED:
            value = given[name]
        elif how == _DEFAULT:
            value = given.get(name, extra)
        elif how == _FACTORY:
            value = given.get(name, MISSING)
            value = extra() if value is MISSING else value
        elif how == _FIXED:
            value = extra
        else:
            value = extra()
        if frozen:
            target[name] = value
        else:
            setattr(self, name, value)
    if post_init:
        self.__post_init__()


def _make_init(cls: type) -> Callable[..., None]:
    fields: tuple[Field, ...] = getattr(cls, _FIELDS)
    frozen = cls.__dict__.get("__record_frozen__", False)
    namespace: dict[str, Any] = {"MISSING": MISSING}
    params, body, seen_default = ["self"], [], False
    for f in fields:
        value = f.name
        if f.init:
            if f.default is not MISSING:
                namespace[f"_default_{f.name}"] = f.default
                params.append(f"{f.name}=_default_{f.name}")
                seen_default = True
            elif f.default_factory is not MISSING:
                params.append(f"{f.name}=MISSING")
                value = f"_factory_{f.name}() if {f.name} is MISSING else {f.name}"
                seen_default = True
            else:
                if seen_default:
                    raise TypeError(f"non-default argument {f.name!r} follows default argument")
                params.append(f.name)
        elif f.default is not MISSING:
            value = f"_default_{f.name}"
            namespace[value] = f.default
        elif f.default_factory is not MISSING:
            value = f"_factory_{f.name}()"
        else:
            continue
        if f.default_factory is not MISSING:
            namespace[f"_factory_{f.name}"] = f.default_factory
        body.append(f"    _d[{f.name!r}] = {value}" if frozen else f"    self.{f.name} = {value}")
    if frozen:
        body.insert(0, "    _d = self.__dict__")
    if hasattr(cls, "__post_init__"):
        body.append("    self.__post_init__()")
    source = f"def __init__({', '.join(params)}):\n" + ("\n".join(body) or "    pass") + "\n"
    exec(source, namespace)  # noqa: S102 - generated from the class's own field names
    made: Callable[..., None] = namespace["__init__"]
    made.__qualname__ = f"{cls.__qualname__}.__init__"
    return made


def fields(class_or_instance: Any) -> tuple[Field, ...]:
    try:
        return tuple(getattr(class_or_instance, _FIELDS))
    except AttributeError:
        raise TypeError("must be called with a record class or instance") from None


def is_dataclass(obj: Any) -> bool:
    return hasattr(obj if isinstance(obj, type) else type(obj), _FIELDS)


def replace(obj: T, /, **changes: Any) -> T:
    for f in getattr(type(obj), _FIELDS):
        if not f.init:
            if f.name in changes:
                raise ValueError(f"field {f.name} is declared with init=False")
        elif f.name not in changes:
            changes[f.name] = getattr(obj, f.name)
    return obj.__class__(**changes)


_ATOMIC = (str, int, float, bool, bytes, type(None), complex)


def asdict(obj: Any, *, dict_factory: Callable[[list[tuple[str, Any]]], Any] = dict) -> Any:
    if not is_dataclass(obj) or isinstance(obj, type):
        raise TypeError("asdict() should be called on record instances")
    return _asdict(obj, dict_factory)


def _asdict(obj: Any, factory: Callable[[list[tuple[str, Any]]], Any]) -> Any:
    if isinstance(obj, _ATOMIC):
        return obj
    if hasattr(type(obj), _FIELDS):
        return factory([(f.name, _asdict(getattr(obj, f.name), factory)) for f in fields(obj)])
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return type(obj)(*[_asdict(v, factory) for v in obj])
    if isinstance(obj, (list, tuple)):
        return type(obj)(_asdict(v, factory) for v in obj)
    if isinstance(obj, dict):
        return type(obj)((_asdict(k, factory), _asdict(v, factory)) for k, v in obj.items())
    import copy

    return copy.deepcopy(obj)
