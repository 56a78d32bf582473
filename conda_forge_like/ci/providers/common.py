"""What every provider shares: YAML dumping, stage names, the build command."""

from __future__ import annotations

from typing import Any

import yaml

from ..options import HEADER


def dump(data: Any) -> str:
    return HEADER + yaml.safe_dump(data, sort_keys=False, default_flow_style=False, width=1000)


def stage_name(index: int) -> str:
    return f"build_{index + 1}"


def build_command(recipes: str, job: str, subdir: str) -> str:
    variants = f"ci/variants/{job}.yaml"
    return f"cfl build {recipes} -m {variants} --target-platform {subdir} --output-dir output"
