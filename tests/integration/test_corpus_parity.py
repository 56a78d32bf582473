"""cfl renders every CI job of real conda-forge feedstocks, and v1 jobs as rattler-build does.

``/work/shared/corpus/<feedstock>/`` holds ``recipe/`` and ``.ci_support/<job>.yaml`` exactly as
conda-forge has them. A job is one ``.ci_support`` file used as ``-m`` with the target platform
its ``target_platform`` key names, as ``cfl render <fs>/recipe -m <job> --target-platform <tp>``
does. For v1 recipes the peer is rattler-build's own command-line code path
(``build_recipes(render_only=True)``), run for every job in one subprocess.

Run ``python tests/integration/test_corpus_parity.py`` to print the counts and every failure.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from conda_forge_like import api
from conda_forge_like.errors import CflError
from conda_forge_like.render.pins import apply_pin

pytestmark = pytest.mark.parity

# ``shared/`` lives beside the repository (parents[3]); a git worktree in ``wt/<name>/`` finds
# it one level further up.
_HERE = Path(__file__).resolve()
CORPUS = next(
    (p / "shared" / "corpus" for p in _HERE.parents[3:5] if (p / "shared" / "corpus").is_dir()),
    _HERE.parents[3] / "shared" / "corpus",
)
SECTIONS = {"build": "build", "host": "host", "run": "run"}

Output = dict[str, Any]  # name, version, build_string, requirements


@dataclass(frozen=True)
class Job:
    feedstock: str
    file: Path
    target_platform: str

    @property
    def recipe(self) -> Path:
        return CORPUS / self.feedstock / "recipe"

    @property
    def is_v1(self) -> bool:
        return (self.recipe / "recipe.yaml").is_file()

    @property
    def id(self) -> str:
        return f"{self.feedstock}/{self.file.stem}"


def corpus_jobs() -> list[Job]:
    jobs = []
    for job_file in sorted(CORPUS.glob("*/.ci_support/*.yaml")):
        variant = yaml.safe_load(job_file.read_text())
        # conda-smithy names the file <os>_<arch>_<rest>; older files lack the key
        default = "-".join(job_file.stem.split("_")[:2])
        platform = (variant.get("target_platform") or [default])[0]
        jobs.append(Job(job_file.parent.parent.name, job_file, platform))
    return jobs


# --- cfl ---------------------------------------------------------------------------------


def cfl_render(job: Job) -> list[Output]:
    rendered = api.render(
        [job.recipe], variant_files=[job.file], target_platform=job.target_platform
    )
    return [
        {
            "name": r.name,
            "version": r.version,
            "build_string": r.build_string,
            "variant": {k: str(v) for k, v in r.variant.items()},
            "requirements": {k: r.requirements.as_dict()[k] for k in SECTIONS.values()},
        }
        for r in rendered
    ]


# --- the peer: rattler-build's command line, all jobs in one subprocess --------------------

_PEER = """
import json, sys, warnings
warnings.simplefilter('ignore')
from rattler_build import build_recipes
for line in sys.stdin:
    ident, recipe, job, platform = json.loads(line)
    print('@@JOB ' + ident, flush=True)
    try:
        build_recipes([recipe], render_only=True, target_platform=platform,
                      variant_config=[job], output_dir=sys.argv[1])
    except Exception as exc:
        print('@@ERROR ' + json.dumps(str(exc)), flush=True)
    print('@@END', flush=True)
"""


def peer_renders(jobs: list[Job], out: Path) -> dict[str, list[Output] | str]:
    """job id -> the peer's outputs, or its error message."""
    lines = "".join(
        json.dumps([j.id, str(j.recipe / "recipe.yaml"), str(j.file), j.target_platform]) + "\n"
        for j in jobs
    )
    result = subprocess.run(
        [sys.executable, "-c", _PEER, str(out)],
        input=lines,
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    renders: dict[str, list[Output] | str] = {}
    for chunk in result.stdout.split("@@JOB ")[1:]:
        ident, _, body = chunk.partition("\n")
        body = body.rpartition("@@END")[0]
        if "@@ERROR " in body:
            renders[ident] = json.loads(body.split("@@ERROR ", 1)[1])
        else:
            renders[ident] = _peer_outputs(json.loads(body))
    return renders


def _filled(spec: Any, variant: Mapping[str, Any]) -> Any:
    """rattler-build applies a variant to a bare build/host name at solve time (``zlib`` ->
    ``zlib 1.3.*``); cfl does it at render time (same rule as test_parity_rattler_build). The
    lookup uses rattler-build's ``NormalizedKey`` (``lz4-c`` finds the key ``lz4_c``)."""
    if not isinstance(spec, str) or len(spec.split()) != 1:
        return spec
    key = next((k for k in (spec.lower(), spec.lower().replace("-", "_")) if k in variant), None)
    if key is None:
        return spec
    value = str(variant[key])
    if value.replace(".", "").isalnum():
        return f"{spec} {value}.*"
    return f"{spec} {value}"


def _resolved(spec: Any, own: tuple[str, str], outputs: Mapping[str, tuple[str, str]]) -> Any:
    """``pin_subpackage`` stays a mapping in rattler-build's stage1; resolve it as cfl does."""
    if not isinstance(spec, dict):
        return spec
    pin = spec["pin_subpackage"]
    name = pin["name"]
    version, string = outputs[name]
    if pin.get("exact"):
        return f"{name} =={version} {own[1] if name == own[0] else string}"
    return f"{name} {apply_pin(version, pin.get('lower_bound'), pin.get('upper_bound'))}"


def _peer_outputs(items: list[dict[str, Any]]) -> list[Output]:
    outputs = {
        i["recipe"]["package"]["name"]: (
            i["recipe"]["package"]["version"],
            i["recipe"]["build"]["string"],
        )
        for i in items
    }
    result = []
    for item in items:
        recipe, variant = item["recipe"], item["build_configuration"]["variant"]
        own = (recipe["package"]["name"], recipe["build"]["string"])
        reqs = {}
        for theirs, ours in SECTIONS.items():
            specs = [_resolved(s, own, outputs) for s in recipe["requirements"].get(theirs, [])]
            reqs[ours] = [_filled(s, variant) for s in specs] if theirs != "run" else specs
        result.append(
            {
                "name": own[0],
                "version": recipe["package"]["version"],
                "build_string": own[1],
                "variant": {k: str(v) for k, v in variant.items()},
                "requirements": reqs,
            }
        )
    return result


def _keyed(outputs: list[Output]) -> dict[tuple[str, str], Output]:
    return {(o["name"], o["build_string"]): o for o in outputs}


def differences(ours: list[Output], theirs: list[Output]) -> list[str]:
    a, b = _keyed(ours), _keyed(theirs)
    if sorted(a) != sorted(b):
        return [f"outputs: cfl {sorted(a)} != peer {sorted(b)}", *_variant_diff(ours, theirs)]
    problems = []
    for key, out in b.items():
        if a[key]["version"] != out["version"]:
            problems.append(f"{key} version {a[key]['version']} != {out['version']}")
        for section, specs in out["requirements"].items():
            if a[key]["requirements"][section] != specs:
                problems.append(
                    f"{key} {section}: cfl {a[key]['requirements'][section]} != {specs}"
                )
    return problems


def _variant_diff(ours: list[Output], theirs: list[Output]) -> Iterator[str]:
    """Why build strings differ: the hashed variant keys of same-named outputs."""
    mine = {o["name"]: o["variant"] for o in ours}
    for out in theirs:
        if out["name"] not in mine:
            continue
        a, b = mine[out["name"]], out["variant"]
        extra = {k: v for k, v in a.items() if b.get(k) != v}
        missing = {k: v for k, v in b.items() if a.get(k) != v}
        if extra or missing:
            yield f"{out['name']} variant: cfl has {extra}, peer has {missing}"


# --- the measurements ------------------------------------------------------------------


@dataclass
class Measurement:
    jobs: int = 0
    rendered: int = 0
    outputs: int = 0
    v1_peer_rendered: int = 0
    v1_equal: int = 0
    failures: dict[str, str] | None = None
    mismatches: dict[str, list[str]] | None = None


def measure(out: Path) -> Measurement:
    jobs = corpus_jobs()
    m = Measurement(jobs=len(jobs), failures={}, mismatches={})
    assert m.failures is not None
    assert m.mismatches is not None
    ours: dict[str, list[Output]] = {}
    for job in jobs:
        try:
            ours[job.id] = cfl_render(job)
        except (CflError, Exception) as exc:  # noqa: BLE001 - every failure is reported
            first = (str(exc).splitlines() or [""])[0]
            m.failures[job.id] = f"{type(exc).__name__}: {first}"
            continue
        m.rendered += 1
        m.outputs += len(ours[job.id])
    for ident, theirs in peer_renders([j for j in jobs if j.is_v1], out).items():
        if isinstance(theirs, str):
            continue
        m.v1_peer_rendered += 1
        problems = differences(ours[ident], theirs) if ident in ours else ["cfl failed"]
        if problems:
            m.mismatches[ident] = problems
        else:
            m.v1_equal += 1
    return m


def report(m: Measurement) -> Iterator[str]:
    yield f"jobs rendered by cfl: {m.rendered}/{m.jobs} ({m.outputs} outputs)"
    yield f"v1 jobs equal to rattler-build: {m.v1_equal}/{m.v1_peer_rendered}"
    for ident, message in sorted((m.failures or {}).items()):
        yield f"FAIL {ident}: {message}"
    for ident, problems in sorted((m.mismatches or {}).items()):
        yield f"DIFF {ident}: " + "; ".join(problems)


@pytest.fixture(scope="module")
def measurement(tmp_path_factory: pytest.TempPathFactory) -> Measurement:
    if not CORPUS.is_dir():
        pytest.skip(f"the feedstock corpus {CORPUS} is absent (it lives beside the repository)")
    pytest.importorskip("rattler_build")
    return measure(tmp_path_factory.mktemp("rattler-build-output"))


def test_every_corpus_job_renders(measurement: Measurement) -> None:
    print("\n".join(report(measurement)))
    assert measurement.failures == {}
    assert measurement.rendered == measurement.jobs


def test_v1_jobs_equal_rattler_build(measurement: Measurement) -> None:
    assert measurement.mismatches == {}
    assert measurement.v1_equal == measurement.v1_peer_rendered > 0


# --- v0 jobs checked by hand against conda-build's rules ----------------------------------


def conda_build_hash(contents: Mapping[str, str]) -> str:
    """conda-build's ``_hash_dependencies``: ``h`` + 7 hex of sha1 over the sorted JSON."""
    return "h" + hashlib.sha1(json.dumps(contents, sort_keys=True).encode()).hexdigest()[:7]


CF = {"channel_targets": "conda-forge main"}
GCC14 = {"c_compiler": "gcc", "c_compiler_version": "14"}
GXX14 = {"cxx_compiler": "gxx", "cxx_compiler_version": "14"}
SYSROOT = {"c_stdlib": "sysroot", "c_stdlib_version": "2.17"}
LINUX64 = {"target_platform": "linux-64"}
BOOST_DEVEL = conda_build_hash({**CF, **GXX14, **LINUX64}) + "_0"


@dataclass(frozen=True)
class HandCase:
    job: str  # feedstock/ci_support file stem
    output: str
    build_string: str
    requirements: Mapping[str, list[str]]  # only the sections named are checked


HAND_CASES = [
    # channel_targets is always used and target_platform always counts; an output with no
    # compiler and no pinned requirement hashes only those two: conda-forge's well-known
    # header-only hash `ha770c72` (metadata.get_used_vars + get_hash_contents).
    HandCase("boost/linux_64_", "libboost-headers", "ha770c72_0", {"build": [], "host": []}),
    # Bare host names take the variant's pin as `name x.y.*` and enter the hash; compiler()
    # and stdlib() use `<lang>_compiler(_version)` and `c_stdlib(_version)`
    # (conda_build.render.get_pin_from_build / jinja_context.compiler).
    HandCase(
        "boost/linux_64_",
        "libboost",
        conda_build_hash(
            {
                **CF,
                **GXX14,
                **SYSROOT,
                **LINUX64,
                "bzip2": "1",
                "icu": "78",
                "liblzma_devel": "5",
                "zlib": "1",
                "zstd": "1.5",
            }
        )
        + "_0",
        {
            "build": ["gxx_linux-64 14.*", "sysroot_linux-64 2.17.*"],
            "host": ["icu 78.*", "bzip2 1.*", "liblzma-devel 5.*", "zlib 1.*", "zstd 1.5.*"],
        },
    ),
    # python is excluded from the hash only when its value has no space: `3.12.* *_cpython`
    # stays in; the `py312` prefix comes from build_string_from_metadata; numpy without
    # pin_compatible/`x.x` stays in the hash and adds no `np` prefix (get_hash_contents).
    HandCase(
        "boost/linux_64_",
        "libboost-python-devel",
        "py313"
        + conda_build_hash({**CF, **LINUX64, "numpy": "2", "python": "3.13.* *_cp313"})
        + "_0",
        {"host": ["python 3.13.* *_cp313", "numpy 2.*", f"libboost-devel 1.91.0 {BOOST_DEVEL}"]},
    ),
    # noarch: python -> `py` prefix without a version and no target_platform in the hash: the
    # well-known `pyhd8ed1ab` (build_string_from_metadata, get_used_vars for noarch).
    HandCase("nanobind/linux_64_", "nanobind", "pyhd8ed1ab_0", {"run": ["python >=3.10"]}),
    HandCase("nanobind/linux_64_", "nanobind-abi", "hd8ed1ab_0", {"build": [], "host": []}),
    # pin_subpackage(exact=True) is `name version build_string` (jinja_context.pin_subpackage)
    HandCase(
        "tbb/linux_64_",
        "tbb-devel",
        conda_build_hash({**CF, **GXX14, **SYSROOT, **LINUX64, "libhwloc": "2.13.0"}) + "_2",
        {
            "run": [
                "tbb 2023.0.0 "
                + conda_build_hash({**CF, **GXX14, **SYSROOT, **LINUX64, "libhwloc": "2.13.0"})
                + "_2"
            ]
        },
    ),
    # `h{{ PKG_HASH }}` in an explicit build string is replaced by the hash (Metadata.build_id)
    HandCase(
        "fftw/linux_64_mpimpich",
        "fftw",
        "mpi_mpich_"
        + conda_build_hash(
            {
                **CF,
                **GCC14,
                **GXX14,
                **SYSROOT,
                **LINUX64,
                "fortran_compiler": "gfortran",
                "fortran_compiler_version": "14",
                "mpi": "mpich",
            }
        )
        + "_12",
        {"host": ["mpich 5.*"]},
    ),
    HandCase(
        "abseil-cpp/linux_64_",
        "libabseil",
        "cxx17_" + conda_build_hash({**CF, **GCC14, **GXX14, **SYSROOT, **LINUX64}) + "_0",
        {
            "build": [
                "gcc_linux-64 14.*",
                "gxx_linux-64 14.*",
                "sysroot_linux-64 2.17.*",
                "cmake",
                "ninja",
            ]
        },
    ),
    # an output whose own build/skip is true is dropped: zlib on linux has no wapi outputs;
    # compiler() with the feedstock's c_compiler gcc_bootstrap (jinja_context.compiler)
    HandCase(
        "zlib/linux_64_",
        "libzlib",
        conda_build_hash(
            {**CF, **SYSROOT, **LINUX64, "c_compiler": "gcc_bootstrap", "c_compiler_version": "14"}
        )
        + "_2",
        {"build": ["gcc_bootstrap_linux-64 14.*", "sysroot_linux-64 2.17.*"]},
    ),
    # a compiler with no version in the job file (win) is `vs2022_win-arm64`, and no default
    # layer's version leaks in; win-arm64 renders like any subdir (jinja_context.compiler)
    HandCase(
        "xz/win_arm64_",
        "liblzma",
        conda_build_hash(
            {**CF, "c_compiler": "vs2022", "c_stdlib": "vs", "target_platform": "win-arm64"}
        )
        + "_1",
        {"build": ["vs_win-arm64", "vs2022_win-arm64", "cmake-no-system", "ninja"]},
    ),
]


def _job(ident: str) -> Job:
    return next(j for j in corpus_jobs() if j.id == ident)


@pytest.mark.parametrize("case", HAND_CASES, ids=lambda c: f"{c.job}:{c.output}")
def test_v0_job_follows_conda_build_rules(case: HandCase) -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"the feedstock corpus {CORPUS} is absent (it lives beside the repository)")
    rendered = cfl_render(_job(case.job))
    if case.job == "zlib/linux_64_":
        assert sorted(o["name"] for o in rendered) == ["libzlib", "zlib"]
    strings = {o["build_string"]: o for o in rendered if o["name"] == case.output}
    assert case.build_string in strings, sorted(strings)
    out = strings[case.build_string]
    for section, expected in case.requirements.items():
        assert out["requirements"][section] == expected, section


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        print("\n".join(report(measure(Path(tmp)))))
