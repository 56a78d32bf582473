"""``v1expr`` against the Jinja sandbox it stands in for: same value and type, same names read,
and a fall back to Jinja wherever Jinja fails or the construct is not supported."""

from __future__ import annotations

import random
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

from conda_forge_like import api, templating, v1expr
from conda_forge_like.errors import CflError
from conda_forge_like.render.v1_eval import base_context

ROOT = Path(__file__).resolve().parents[2]
SHARED = next(
    (p / "shared" for p in ROOT.parents[0:2] if (p / "shared" / "corpus").is_dir()),
    ROOT.parent / "shared",
)
FALLBACK = v1expr.FALLBACK

VARIANT = {
    "python": "3.12.* *_cpython",
    "python_min": "3.10",
    "c_compiler": "gcc",
    "c_compiler_version": "13",
    "c_stdlib": "sysroot",
    "c_stdlib_version": "2.17",
    "cxx_compiler": "gxx",
    "cxx_compiler_version": "13",
    "version": "1.2.3",
    "name": "LibFoo",
    "build_number": 4,
    "vc": ["14"],
    "n": 2,
    "f": 2.5,
    "flag": True,
    "nothing": None,
    "items": ["a", "b", "c"],
    "empty": [],
    "mapping": {"k": "v", "n": 1},
    "x": "xyz",
    "numpy": "2.0",
}


def context(subdir: str = "linux-64", **extra: Any) -> dict[str, Any]:
    ctx = base_context({**VARIANT, **extra}, subdir, {"X": "from-env"})
    for key, value in templating.ENV_V1.globals.items():  # what Evaluator._templating adds
        ctx.setdefault(key, value)
    return ctx


def jinja_value(text: str, ctx: dict[str, Any]) -> tuple[Any, BaseException | None]:
    try:
        return templating.render_value(text, ctx, fast=False), None
    except Exception as exc:  # noqa: BLE001 -- any failure: the fast path must have fallen back
        return None, exc


def differential(text: str, ctx_args: dict[str, Any] | None = None) -> Any:
    """The fast value of ``text`` (``FALLBACK`` when it fell back), checked against Jinja."""
    fast_ctx, jinja_ctx = context(**(ctx_args or {})), context(**(ctx_args or {}))
    fast = templating.fast_value(text, fast_ctx)
    ref, exc = jinja_value(text, jinja_ctx)
    if exc is not None:
        assert fast is FALLBACK, f"{text}: Jinja raised {exc!r}, fast path gave {fast!r}"
    elif fast is not FALLBACK:
        assert type(fast) is type(ref), f"{text}: {fast!r} != {ref!r}"
        assert fast == ref, f"{text}: {fast!r} != {ref!r}"
        assert fast_ctx.accessed == jinja_ctx.accessed, text  # type: ignore[attr-defined]
    names = v1expr.names(text)
    if names is not None:
        assert names == templating.compile_template(text, v1=True).names, text
    return fast


NATIVE = [
    "${{ version }}",
    "${{ name | lower }}",
    "${{ name | upper }}",
    "${{ version.split('.')[0] }}",
    "${{ version.split('.')[:2] | join('.') }}",
    "${{ version | split('.') | first }}",
    "${{ version | split('.') | last }}",
    "${{ version | replace('.', '_') }}",
    "${{ version | version_to_buildstring }}",
    "${{ python | version_to_buildstring }}",
    "${{ 1 if linux else 0 }}",
    "${{ 1 if win else 0 }}",
    "${{ 'a' if win else 'b' if linux else 'c' }}",
    "${{ compiler('c') }}",
    "${{ compiler('cxx') }}",
    "${{ stdlib('c') }}",
    "${{ pin_subpackage('libfoo', upper_bound='x.x') }}",
    "${{ pin_subpackage('libfoo', exact=True) }}",
    "${{ pin_compatible('numpy') }}",
    "${{ python_min ~ '.*' }}",
    "${{ python_min ~ 1 ~ none ~ true ~ 2.5 }}",
    "${{ hash }}_${{ build_number }}",
    "py${{ python | version_to_buildstring }}h${{ hash }}_${{ build_number }}",
    "${{ nothing }}-${{ flag }}-${{ f }}-${{ items }}-${{ mapping }}",
    "  ${{ build_number }}  ",
    "${{ build_number }}\n",
    "${{ vc < 14 }}",
    "${{ vc > 14 }}",
    "${{ x < 3 }}",
    "${{ x >= 3 }}",
    "${{ n <= 2.5 }}",
    "${{ flag < 2 }}",
    "${{ nothing < 0 }}",
    "${{ items > mapping }}",
    "${{ not win and (x86_64 or aarch64) }}",
    "${{ not win and (x86_64 or aarch64) }}",
    "${{ unix and not osx }}",
    "${{ match(python, '>=3.10') }}",
    "${{ match(python, '<3.10') }}",
    "${{ env.get('X', default='y') }}",
    "${{ env.get('Y', default='y') }}",
    "${{ env.exists('X') }}",
    "${{ n + 1 }}",
    "${{ n - 1.5 }}",
    "${{ n * 3 }}",
    "${{ n / 4 }}",
    "${{ 7 // n }}",
    "${{ 7 % n }}",
    "${{ n ** 10 }}",
    "${{ 2 ** 3 ** 2 }}",
    "${{ 9 ** 9 ** 9 }}",
    "${{ 1 if linux }}",
    "${{ (compiler)('c') }}",
    "${{ -n }}",
    "${{ +f }}",
    "${{ -n | string }}",
    "${{ 'ab' * 3 }}",
    "${{ items + ['d'] }}",
    "${{ items[0] }}",
    "${{ items[-1] }}",
    "${{ items[1:] }}",
    "${{ items[::2] }}",
    "${{ x[1] }}",
    "${{ mapping['k'] }}",
    "${{ mapping.k }}",
    "${{ mapping.get('z', 'dflt') }}",
    "${{ mapping.keys() | list }}",
    "${{ 'k' in mapping }}",
    "${{ 'b' in items }}",
    "${{ 'q' not in x }}",
    "${{ items | length }}",
    "${{ items | count }}",
    "${{ version == '1.2.3' }}",
    "${{ n != 2 }}",
    "${{ flag and n }}",
    "${{ nothing or 'fallback' }}",
    "${{ empty or items }}",
    "${{ [1, 'a', none] }}",
    "${{ [1, 2,] }}",
    "${{ (1, 2) }}",
    "${{ () }}",
    "${{ (n) }}",
    "${{ 'it''s' }}",
    "${{ \"dq\" 'sq' }}",
    "${{ 'tab\\tnew\\nline \\x41 \\u00e9' }}",
    "${{ 'caf\u00e9' | upper }}",
    "${{ 1e3 }}",
    "${{ 1.5e-3 }}",
    "${{ 0 }}",
    "${{ true }}${{ False }}${{ none }}${{ None }}",
    "${{ missing | default('d') }}",
    "${{ missing | d('d') }}",
    "${{ version | default('d') }}",
    "${{ '' | default('d', true) }}",
    "${{ missing is defined }}",
    "${{ missing is undefined }}",
    "${{ version is defined }}",
    "${{ version is not defined }}",
    "${{ nothing is none }}",
    "${{ version is string }}",
    "${{ n is number }}",
    "${{ flag is boolean }}",
    "${{ n is integer }}",
    "${{ f is float }}",
    "${{ mapping is mapping }}",
    "${{ '42' | int }}",
    "${{ '4.5' | int }}",
    "${{ 'x' | int }}",
    "${{ 'x' | int(7) }}",
    "${{ '0x1f' | int(0, 16) }}",
    "${{ '4.5' | float }}",
    "${{ 'nope' | float }}",
    "${{ n | string }}",
    "${{ '  pad  ' | trim }}",
    "${{ 'xxpadxx' | trim('x') }}",
    "${{ x | list }}",
    "${{ version.startswith('1.') }}",
    "${{ version.endswith('.3') }}",
    "${{ name.lower().replace('lib', '') }}",
    "${{ ' s '.strip() }}",
    "${{ linux if linux else missing }}",
    "${{ build_number if linux else other }}",
    "${{ items[0] ~ items[1] }}",
    "${{ range(3) | list }}",
    "${{ dict(a=1) }}",
    "${{ hash }}",
    "${{ PYTHON }}",
    "${{ target_platform }}",
    "${{ host_platform }}",
    "${{ build_platform }}",
]

FALLS_BACK = [
    "${{ missing }}",
    "${{ missing.attr }}",
    "${{ missing ~ 'x' }}",
    "${{ 'a' ~ missing }}",
    "${{ '%s' % x }}",
    "${{ '{}'.format(x) }}",
    "${{ ''.__class__ }}",
    "${{ x.__class__.__mro__ }}",
    "${{ x._private }}",
    "${{ x['__class__'] }}",
    "${{ mapping.pop('k') }}",
    "${{ items.append(1) }}",
    "${{ 9 ** (9 ** 9) }}",
    "${{ 2 ** 200000 }}",
    "${{ 'a' * 10000000 }}",
    "${{ [1] * 10000000 }}",
    "${{ 1 / 0 }}",
    "${{ 'a' + 1 }}",
    "${{ items[10] }}",
    "${{ mapping['zz'] }}",
    "${{ mapping.zz }}",
    "${{ x | nosuchfilter }}",
    "${{ x | title }}",
    "${{ x is nosuchtest }}",
    "${{ x is divisibleby 3 }}",
    "${{ n is divisibleby(2) }}",
    "${{ 1 < n < 3 }}",
    "${{ 1 if win }}",
    "${{ {'a': 1} }}",
    "${{- version }}",
    "${{ version -}}",
    "{% if true %}x{% endif %}${{ version }}",
    "{# c #}${{ version }}",
    "${{ version",
    "${{ version }",
    "${{ (version }}",
    "${{ a, b }}",
    "${{ compiler('c', 'x', 'y') }}",
    "${{ env.get('Y') }}",
    "${{ match(python, 'not a spec !!') }}",
    "${{ cycler(1) }}",
    "${{ lipsum() }}",
    "${{ namespace(a=1) }}",
    "${{ items[0]() }}",
    "${{ compiler(*items) }}",
    "${{ 1_000 }}",
    "${{ 0x10 }}",
    "${{ 012 }}",
    "${{ x.0 }}",
    "${{ empty | first }}",
    "${{ loop }}",
    "${{ 'a\\\r' }}",
    "${{ 'bad \\m escape' }}",
    "${{ version.format }}",
    "${{ missing is none }}",
    "${{ items | join(attribute='x') }}",
    "${{ version.split('.') | map('int') | list }}",
]


@pytest.mark.parametrize("text", NATIVE)
def test_native(text: str) -> None:
    assert differential(text) is not FALLBACK, text


@pytest.mark.parametrize("text", FALLS_BACK)
def test_falls_back(text: str) -> None:
    assert differential(text) is FALLBACK, text


@pytest.mark.parametrize("subdir", ["linux-64", "linux-aarch64", "osx-arm64", "win-64"])
def test_platforms(subdir: str) -> None:
    for expr in ("not win and (x86_64 or aarch64)", "unix and not osx", "linux or win"):
        text = "${{ " + expr + " }}"
        ref = templating.render_value(text, context(subdir), fast=False)
        assert templating.fast_value(text, context(subdir)) == ref


def test_dunder_never_evaluated() -> None:
    class Trap(str):
        def __getattribute__(self, name: str) -> Any:
            raise AssertionError(f"fast path touched {name}")

    ctx = context()
    ctx["trap"] = Trap("t")
    for text in ("${{ trap.__class__ }}", "${{ trap._x }}", "${{ ''.__class__ }}"):
        assert templating.fast_value(text, ctx) is FALLBACK


def test_evaluate_conditions() -> None:
    for expr in ("linux and not win", "match(python, '>=3.10')", "vc < 14", " n == 2 "):
        ctx_fast, ctx_jinja = context(), context()
        fast = templating.fast_evaluate(expr, ctx_fast)
        assert fast is not FALLBACK
        assert fast == templating.evaluate(expr, ctx_jinja, fast=False)
        assert ctx_fast.accessed == ctx_jinja.accessed  # type: ignore[attr-defined]
    assert templating.fast_evaluate("missing < 3", context()) is FALLBACK
    with pytest.raises(Exception, match="missing"):
        templating.evaluate("missing < 3", context())


def test_disabled_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(v1expr, "ENABLED", False)
    assert templating.fast_value("${{ version }}", context()) is FALLBACK
    assert v1expr.names("${{ version }}") is None
    assert templating.render_value("${{ version }}", context()) == "1.2.3"


# --- the corpus ----------------------------------------------------------------------------


def corpus_jobs() -> list[tuple[Path, list[Path], str]]:
    dirs = sorted(SHARED.glob("corpus/*/recipe")) + sorted(SHARED.glob("realworld/*/recipe"))
    dirs += sorted((ROOT / "recipes").glob("*")) + sorted((ROOT / "tests/data/recipes").glob("*"))
    jobs = []
    for rdir in dirs:
        if not (rdir / "recipe.yaml").is_file():
            continue
        ci = sorted((rdir.parent / ".ci_support").glob("*.yaml")) if rdir.name == "recipe" else []
        for job in ci:
            variant = yaml.safe_load(job.read_text()) or {}
            default = "-".join(job.stem.split("_")[:2])
            jobs.append((rdir, [job], (variant.get("target_platform") or [default])[0]))
        if not ci:
            jobs += [(rdir, [], platform) for platform in ("linux-64", "osx-arm64", "win-64")]
    return jobs


def render_all(rdir: Path, files: list[Path], platform: str) -> Any:
    try:
        rendered = api.render([rdir], variant_files=files, target_platform=platform)
    except CflError as exc:
        return ("error", str(exc))
    return [(r.as_json(), r.meta, r.script, r.staging) for r in rendered]


class _Spy:
    """Counts fast and fallen-back evaluations and collects the v1 texts met."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch):
        self.fast = self.fallback = 0
        self.fallbacks: list[str] = []
        self.texts: set[str] = set()
        self.exprs: set[str] = set()
        evaluate, render, names = v1expr.evaluate, v1expr.render, v1expr.names

        def spy_evaluate(expr: str, ctx: dict[str, Any]) -> Any:
            return self.count(expr, evaluate(expr, ctx), self.exprs)

        def spy_render(text: str, ctx: dict[str, Any]) -> Any:
            return self.count(text, render(text, ctx), self.texts)

        def spy_names(text: str) -> Any:
            self.texts.add(text)
            return names(text)

        monkeypatch.setattr(v1expr, "evaluate", spy_evaluate)
        monkeypatch.setattr(v1expr, "render", spy_render)
        monkeypatch.setattr(v1expr, "names", spy_names)

    def count(self, text: str, value: Any, into: set[str]) -> Any:
        if v1expr.ENABLED:
            into.add(text)
            if value is FALLBACK:
                self.fallback += 1
                self.fallbacks.append(text)
            else:
                self.fast += 1
        return value


def test_corpus_differential(monkeypatch: pytest.MonkeyPatch) -> None:
    if not (SHARED / "corpus").is_dir():
        pytest.skip(f"no corpus at {SHARED}/corpus (../shared beside the repository)")
    spy = _Spy(monkeypatch)
    jobs = corpus_jobs()
    for rdir, files, platform in jobs:
        monkeypatch.setattr(v1expr, "ENABLED", True)
        fast = render_all(rdir, files, platform)
        monkeypatch.setattr(v1expr, "ENABLED", False)
        assert fast == render_all(rdir, files, platform), (rdir, files, platform)
    monkeypatch.setattr(v1expr, "ENABLED", True)
    for text in spy.texts:  # the name analysis, text by text
        names = v1expr.names(text)
        if names is not None:
            assert names == templating.compile_template(text, v1=True).names, text
    total = spy.fast + spy.fallback
    print(f"{len(jobs)} jobs: {spy.fast}/{total} expressions fast; fell back: {spy.fallbacks}")
    assert total > 500
    assert spy.fast >= 0.9 * total, sorted(set(spy.fallbacks))


def corpus_texts() -> list[str]:
    """The ``${{ }}`` pieces and ``if:`` conditions of every recipe.yaml the corpus test reads."""
    texts: set[str] = set()
    for rdir, _, _ in corpus_jobs():
        for line in (rdir / "recipe.yaml").read_text().splitlines():
            texts.update(re.findall(r"\$\{\{.*?\}\}", line))
            if match := re.match(r"\s*-?\s*if:\s*(.+)$", line):
                texts.add("${{ " + match.group(1) + " }}")
    return sorted(texts)


_EDITS = [
    "'", '"', "(", ")", "[", "]", "|", ".", ",", " ", "_", "~", "-", "+", "*", "**", "/",
    "%", "<", ">", "==", " not ", " and ", " or ", " if ", " else ", " is ", " in ", "0",
    "1", "x", "__", "__class__", " | lower", " | default('q')", " is defined", "}}", "${{",
    "{%", "\\", "missing", "version", "items", "(1)", "[0]", "[1:]", ".split('.')",
]  # fmt: skip


def test_mutations(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = corpus_texts() + NATIVE
    rng = random.Random(20261203)
    checked = 0
    for _ in range(1000):
        text = rng.choice(texts)
        for _ in range(rng.randint(1, 3)):
            pos = rng.randrange(len(text) + 1)
            if rng.random() < 0.3 and pos < len(text):
                text = text[:pos] + text[pos + rng.randint(1, 3) :]
            else:
                text = text[:pos] + rng.choice(_EDITS) + text[pos:]
        if "${{" not in text:
            continue
        differential(text)
        checked += 1
    assert checked > 800


_ATOMS = [
    "version", "name", "n", "f", "flag", "nothing", "items", "empty", "mapping", "x", "vc",
    "missing", "1", "0", "2.5", "-3", "'a'", "'1.2'", "''", "true", "false", "none", "[1, 'b']",
    "()", "(1,)", "python", "linux", "win", "compiler('c')", "env.get('X', 'd')",
    "match(python, '>=3')", "'%s'", "'abc'[1:]", "items[0]", "mapping.k",
]  # fmt: skip
_BINOPS = [
    "+", "-", "*", "/", "//", "%", "**", "~", "and", "or", "==", "!=", "<", "<=", ">", ">=",
    "in", "not in",
]  # fmt: skip
_FILTERS = [
    "lower", "upper", "string", "length", "first", "last", "list", "int", "float", "trim",
    "default('z')", "d(1, true)", "join('-')", "join", "replace('a', 'b')", "split('.')",
    "version_to_buildstring",
]  # fmt: skip
_POSTFIX = [
    ".lower()", ".upper()", ".split('.')", ".startswith('1')", ".strip()", ".replace('.', '')",
    ".get('k')", ".keys()", ".items()", "[0]", "[-1]", "[1:]", "['k']",
]  # fmt: skip


def _random_expression(rng: random.Random, depth: int) -> str:
    r = rng.random()
    if depth <= 0 or r < 0.25:
        return rng.choice(_ATOMS)
    sub = lambda: _random_expression(rng, depth - 1)  # noqa: E731
    if r < 0.45:
        return f"{sub()} {rng.choice(_BINOPS)} {sub()}"
    if r < 0.55:
        return f"({sub()})"
    if r < 0.65:
        return f"{sub()} | {rng.choice(_FILTERS)}"
    if r < 0.72:
        return f"{sub()} is {rng.choice(['', 'not '])}{rng.choice(list(v1expr.TESTS))}"
    if r < 0.80:
        return sub() + rng.choice(_POSTFIX)
    if r < 0.88:
        return f"{sub()} if {sub()} else {sub()}"
    return rng.choice(["not ", "-"]) + sub()


def test_random_expressions() -> None:
    """Expressions built from the grammar: where the fast path answers, it answers as Jinja."""
    rng = random.Random(7)
    fast = 0
    for _ in range(1500):
        expr = _random_expression(rng, 3)
        text = "${{ " + expr + " }}" if rng.random() < 0.7 else f"a${{{{ {expr} }}}}b${{{{ n }}}}"
        fast += differential(text) is not FALLBACK
    assert fast > 500


# --- Jinja stays unimported ----------------------------------------------------------------

_SUBPROCESS = textwrap.dedent(
    """
    import sys
    from conda_forge_like import api, templating
    rendered = api.render([sys.argv[1]], target_platform="linux-64")
    assert rendered and rendered[0].name, rendered
    assert "jinja2" not in sys.modules, "recipe.yaml rendering imported jinja2"
    rendered = api.render([sys.argv[2]], target_platform="linux-64")
    assert rendered and "jinja2" in sys.modules
    print("ok")
    """
)


def test_recipe_yaml_needs_no_jinja(tmp_path: Path) -> None:
    v1 = tmp_path / "v1"
    v1.mkdir()
    (v1 / "recipe.yaml").write_text(
        textwrap.dedent(
            """
            context:
              version: "1.2.3"
              name: libthing
            package:
              name: ${{ name | lower }}
              version: ${{ version }}
            build:
              number: 0
              string: h${{ hash }}_${{ version.split('.')[0] }}
              skip: ${{ win }}
            requirements:
              build:
                - ${{ compiler('c') }}
                - ${{ stdlib('c') }}
                - if: linux and not aarch64
                  then: make
              host:
                - zlib
              run:
                - ${{ pin_subpackage(name, upper_bound='x.x') }}
            """
        )
    )
    v0 = tmp_path / "v0"
    v0.mkdir()
    (v0 / "meta.yaml").write_text(
        # `raw`: a meta.yaml ``v0template`` leaves to Jinja
        "package:\n  name: thing\n  version: {% raw %}1.0{% endraw %}\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", _SUBPROCESS, str(v1), str(v0)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert "ok" in out.stdout
