"""The README's quick start on a stock Debian machine: a fresh clone, Debian's own
``/usr/bin/python3`` (which refuses ``pip install`` outside a virtual environment), an empty
HOME and so empty caches (zig builds its runtimes: "first use"), and the README's first
command exactly as written. It must exit 0 and leave a package for every output of every
shipped recipe.

What keeps its cost bounded: pip may reuse the wheels it already downloaded (``PIP_CACHE_DIR``
is the invoking user's pip cache; ``PIP_FIND_LINKS``/``PIP_INDEX_URL`` pass through), so no
network is needed beyond pip's own index. It clones the committed HEAD of this checkout.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent.parent
DEBIAN_PYTHON = Path("/usr/bin/python3")
# How this machine reaches pip's and npm's registries (its CA bundle, a proxy): part of the
# machine, not of the user's set-up, so a stock login has them too.
PASSED_ON = {"PIP_FIND_LINKS", "PIP_INDEX_URL", "PIP_CERT", "NODE_EXTRA_CA_CERTS", "CI", "TMPDIR"}
NETWORK_SUFFIXES = ("_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR", "_proxy", "_PROXY")


def readme_command(section: str) -> str:
    """The first ``bash`` block under the README heading that starts with ``section``."""
    text = (ROOT / "README.md").read_text()
    start = text.index(f"\n## {section}")
    found = re.search(r"```bash\n(.+?)\n```", text[start:], re.DOTALL)
    assert found, f"README.md: no bash block under '## {section}'"
    return found.group(1).strip()


def stock_env(home: Path) -> dict[str, str]:
    """A login on a stock machine: system PATH (no pyenv, no venv), nothing cfl-specific."""
    pip_cache = os.environ.get("PIP_CACHE_DIR") or str(Path.home() / ".cache" / "pip")
    env = {
        "HOME": str(home),
        "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "LANG": "C.UTF-8",
        "PIP_CACHE_DIR": pip_cache,
    }
    for name, value in os.environ.items():
        if name in PASSED_ON or name.endswith(NETWORK_SUFFIXES):
            env[name] = value
    return env


def test_readme_quick_start_on_debian_python(tmp_path: Path) -> None:
    if not DEBIAN_PYTHON.exists():
        pytest.skip("/usr/bin/python3 is absent: this test is about Debian's own Python")
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    if shutil.which("python3", path="/usr/local/bin:/usr/bin:/bin") != str(DEBIAN_PYTHON):
        pytest.skip("python3 on the system PATH is not /usr/bin/python3")
    clone, home = tmp_path / "clone", tmp_path / "home"
    home.mkdir()
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    command = readme_command("Quick start")
    assert command.startswith("bash ci/setup.sh && ")
    started = time.monotonic()
    result = subprocess.run(
        ["bash", "-c", command], cwd=clone, env=stock_env(home),
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    minutes = (time.monotonic() - started) / 60
    print(f"README quick start took {minutes:.1f} min")
    assert result.returncode == 0, (
        f"`{command}` exited {result.returncode} after {minutes:.1f} min\n"
        f"{result.stdout[-3000:]}\n{result.stderr[-5000:]}"
    )
    # The set-up made a virtual environment of Debian's Python (Debian's refuses pip without).
    config = (clone / ".venv" / "pyvenv.cfg").read_text()
    assert "home = /usr/bin" in config.splitlines(), config
    recipes = sorted(str(p) for p in (clone / "recipes").iterdir() if p.is_dir())
    rendered = subprocess.run(
        [str(clone / ".venv" / "bin" / "cfl"), "render", *recipes, "--json"], cwd=clone,
        env=stock_env(home), capture_output=True, text=True, check=True,
    )  # fmt: skip
    outputs = json.loads(rendered.stdout)
    assert {Path(r["recipe"]).parent.name for r in outputs} >= {Path(p).name for p in recipes}
    missing = [
        f"{r['subdir']}/{r['name']}-{r['version']}-{r['build_string']}.conda"
        for r in outputs
        if not (
            clone / "output" / r["subdir"] / f"{r['name']}-{r['version']}-{r['build_string']}.conda"
        ).is_file()
    ]
    assert not missing, f"not built: {missing}"
