"""Write (or --check) recipes/x86_64-microarch-level/variants.yaml from archspec.

python ci/microarch_variants.py          # rewrite the file
python ci/microarch_variants.py --check  # exit 1 when it differs from archspec
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from conda_forge_like.baseplate import microarch

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "recipes" / "x86_64-microarch-level" / "variants.yaml"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare, do not write")
    args = parser.parse_args()
    text = microarch.variants_text(microarch.levels())
    current = TARGET.read_text(encoding="utf-8") if TARGET.is_file() else None
    if args.check:
        if current != text:
            print(f"stale: {TARGET} (re-run: python ci/microarch_variants.py)", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET} ({len(microarch.levels())} micro-architectures)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
