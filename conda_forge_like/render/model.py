"""What the render stage produces: one ``RenderedRecipe`` per output and distinct variant."""

from __future__ import annotations

from typing import Any

from ..records import dataclass, field

# In a rendered meta.yaml's meta: the package is the recipe's own, not one of its outputs.
TOP_LEVEL = "cfl_top_level"


@dataclass(frozen=True)
class Requirements:
    build: tuple[str, ...] = ()
    host: tuple[str, ...] = ()
    run: tuple[str, ...] = ()
    run_constrained: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, list[str]]:
        return {
            "build": list(self.build),
            "host": list(self.host),
            "run": list(self.run),
            "run_constrained": list(self.run_constrained),
        }


@dataclass(frozen=True)
class RunExports:
    weak: tuple[str, ...] = ()
    strong: tuple[str, ...] = ()
    noarch: tuple[str, ...] = ()
    weak_constrains: tuple[str, ...] = ()
    strong_constrains: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, list[str]]:
        pairs = [
            ("weak", self.weak),
            ("strong", self.strong),
            ("noarch", self.noarch),
            ("weak_constrains", self.weak_constrains),
            ("strong_constrains", self.strong_constrains),
        ]
        return {key: list(value) for key, value in pairs if value}


@dataclass(frozen=True)
class IgnoreRunExports:
    by_name: tuple[str, ...] = ()
    from_package: tuple[str, ...] = ()


@dataclass(frozen=True)
class PendingPin:
    """A ``pin_compatible`` of a package the variant does not pin: the build stage turns the
    bare run requirement ``name`` into a range around the version installed in host.

    ``lower``/``upper`` are pin expressions (``x.x``); ``upper_bound`` is conda-build's literal
    upper bound (``>=<host version>,<upper_bound``).
    """

    name: str
    lower: str | None = "x.x.x.x.x.x"
    upper: str | None = "x"
    exact: bool = False
    upper_bound: str | None = None

    def as_dict(self) -> dict[str, Any]:
        data = {"name": self.name, "lower": self.lower, "upper": self.upper, "exact": self.exact}
        return data | ({"upper_bound": self.upper_bound} if self.upper_bound else {})


@dataclass(frozen=True)
class RenderedRecipe:
    """One package to build: every template evaluated for one variant and target platform.

    ``variant`` holds only the used keys (what the hash is computed over); ``hash_input`` is
    the exact JSON string hashed. ``meta`` keeps the rendered sections later stages read
    (source, build, test, about) as plain data. ``pending_pins`` are the run requirements
    ``pin_compatible`` left bare for the host environment to decide (not hashed: neither
    conda-build nor rattler-build hashes run requirements).
    """

    name: str
    version: str
    build_number: int
    build_string: str
    subdir: str
    variant: dict[str, Any]
    hash_input: str
    requirements: Requirements
    recipe_path: str
    recipe_format: str
    noarch: str | None = None
    script: str | None = None
    run_exports: RunExports = RunExports()
    ignore_run_exports: IgnoreRunExports = IgnoreRunExports()
    meta: dict[str, Any] = field(default_factory=dict)
    staging: str | None = None
    pending_pins: tuple[PendingPin, ...] = ()

    @property
    def dist(self) -> str:
        return f"{self.name}-{self.version}-{self.build_string}"

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "build_string": self.build_string,
            "build_number": self.build_number,
            "subdir": self.subdir,
            "noarch": self.noarch,
            "variant": self.variant,
            "hash_input": self.hash_input,
            "requirements": self.requirements.as_dict(),
            "run_exports": self.run_exports.as_dict(),
            "ignore_run_exports": {
                "by_name": list(self.ignore_run_exports.by_name),
                "from_package": list(self.ignore_run_exports.from_package),
            },
            "pending_pins": [pin.as_dict() for pin in self.pending_pins],
            "recipe": self.recipe_path,
        }
