#!/usr/bin/env bash
# Set up a fresh machine for cfl: the project itself with its test dependencies.
# Later stages add the Debian packages they need here (apt-get), so CI and a newcomer's
# machine get the same tools.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install --quiet --disable-pip-version-check -e ".[test]"
