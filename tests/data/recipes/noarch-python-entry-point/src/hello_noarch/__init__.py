"""Greets from the environment it is installed in."""

import sys

__version__ = "0.3.0"


def greeting(name: str) -> str:
    return f"hello, {name} from {sys.prefix}"
