"""What every provider shares: YAML dumping, stage names, the build command."""

from __future__ import annotations

from typing import Any

import yaml

from ..options import HEADER


class _Dumper(yaml.SafeDumper):
    """Multi-line scripts as ``|`` blocks, so the file reads like a hand-written one."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump(data: Any) -> str:
    text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=1000)
    return HEADER + text


def stage_name(index: int) -> str:
    return f"build_{index + 1}"


def build_command(recipes: str, job: str, subdir: str) -> str:
    variants = f"ci/variants/{job}.yaml"
    return f"cfl build {recipes} -m {variants} --target-platform {subdir} --output-dir output"
