import sys

from . import greeting


def main() -> int:
    print(greeting(sys.argv[1] if len(sys.argv) > 1 else "you"))
    return 0
