"""``v0template`` against the Jinja sandbox it stands in for (``_jinja.ENV_V0``): the same
output string, and a fall back to Jinja wherever Jinja fails or the construct is not
supported."""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from conda_forge_like import api, templating, v0template
from conda_forge_like.errors import CflError

ROOT = Path(__file__).resolve().parents[2]
SHARED = next(
    (p / "shared" for p in ROOT.parents[0:2] if (p / "shared" / "corpus").is_dir()),
    ROOT.parent / "shared",
)
FALLBACK = v0template.FALLBACK


def _compiler(language: str) -> str:
    return f"{language}_compiler_stub"


def _pin(name: str, max_pin: str = "x", exact: bool = False) -> str:
    return f"{name} pin {max_pin} {exact}"


CTX: dict[str, Any] = {
    "version": "1.2.3",
    "name": "LibFoo",
    "build_number": 4,
    "n": 2,
    "f": 2.5,
    "flag": True,
    "off": False,
    "nothing": None,
    "items": ["a", "b", "c"],
    "empty": [],
    "mapping": {"k": "v", "n": 1},
    "linux": True,
    "win": False,
    "py": 312,
    "osx": False,
    "unix": True,
    "x86_64": True,
    "aarch64": False,
    "PYTHON": "python",
    "SRC_DIR": "/src",
    "compiler": _compiler,
    "stdlib": _compiler,
    "cdt": _compiler,
    "pin_subpackage": _pin,
    "pin_compatible": _pin,
    "environ": {"X": "from-env", "PKG_BUILDNUM": "7"},
    "load_file_regex": lambda load_file, regex_pattern: re.search(regex_pattern, "v = 1.2\n"),
}


def jinja(text: str, ctx: dict[str, Any] = CTX) -> tuple[str | None, BaseException | None]:
    from conda_forge_like import _jinja

    try:
        return str(_jinja.compile_template(text, v1=False).template.render(dict(ctx))), None
    except Exception as exc:  # noqa: BLE001 -- whatever Jinja raises is the reference
        return None, exc


def check(text: str, ctx: dict[str, Any] = CTX) -> Any:
    """The fast result (or FALLBACK); a fast result must be exactly Jinja's output."""
    fast = v0template.render(text, ctx)
    expected, error = jinja(text, ctx)
    if fast is not FALLBACK:
        assert error is None, f"fast path rendered {text!r} that Jinja fails on: {error!r}"
        assert fast == expected, text
    return fast


NATIVE = [
    "",
    "plain text\n",
    "no trailing newline",
    "\n\n  \n",
    "{{ version }}",
    "v: {{ version }}\n",
    "{{ n }} {{ f }} {{ flag }} {{ nothing }} {{ items }} {{ mapping }} {{ (1, 'a') }}",
    "{{ 1.0 }} {{ 1e3 }} {{ -n }} {{ n / 4 }} {{ n // 4 }} {{ 'a' ~ n }} {{ [] }}",
    "{{ version.split('.')[0] }}.{{ version[2:] }}",
    "{{ name | lower }}-{{ name|upper }} {{ items | join(',') }} {{ items|length }}",
    "{{ version.replace('.', '_') }}",
    "{{ compiler('c') }}\n{{ pin_subpackage('libfoo', max_pin='x.x') }}",
    "{{ environ.get('X', 'd') }} {{ environ.get('MISSING', 'd') }} {{ environ['X'] }}",
    "{{ environ.get('PKG_BUILDNUM', 0) }}",
    "{{ undefined_thing | default('dflt') }}",
    "{# a comment #}x",
    "a {# multi\nline\ncomment #} b",
    "{#- strip before\n#}\n\n   x",
    "a   \n{#- x -#}   \n  b",
    "{% set v = '1.0' %}\n{{ v }}\n",
    '{% set name = "zlib" %}\n{% set version = "1.3.1" %}\n\npackage:\n  name: {{ name|lower }}\n'
    "  version: {{ version }}\n",
    "{% set build = 3 %}\nnumber: {{ build }}\n",
    "{% set version = version ~ '.post' %}{{ version }}",
    "{% set x = n * 3 %}{% set x = x + 1 %}{{ x }}",
    "{% if linux %}L{% endif %}",
    "{% if win %}W{% else %}notW{% endif %}",
    "{% if win %}W{% elif linux %}L{% else %}?{% endif %}",
    "{% if win %}W{% elif off %}O{% elif py >= 312 %}new{% endif %}",
    "{% if py < 311 %}old{% elif py > 400 %}future{% else %}now{% endif %}",
    "{% if version > '1.0' and name in ['LibFoo'] %}yes{% endif %}",
    "{% if 'b' in items %}has b{% endif %}{% if 'z' not in items %} no z{% endif %}",
    "{% if nothing is none %}none{% endif %}{% if maybe is not defined %} undef{% endif %}",
    "{% if not empty %}empty{% endif %}",
    "{% if linux %}\n  - a\n{% endif %}\n",
    "{%- if linux %}\n  - a\n{%- endif %}\n",
    "x   \n  {%- if linux -%}   \n  a  \n  {%- endif -%}  \n  y",
    "a\n{{- version -}}\nb",
    "a {{- version }} b",
    "a {{ version -}}   \n\n b",
    "a {{- -n -}} b",
    "a {{-n-}} b",
    "a {{ n-1 }} b",
    "a {{ n -1 }} b",
    "a {{ n - 1 -}} b",
    "{% for x in items %}{{ x }},{% endfor %}",
    "{% for x in items %}\n  - {{ x }}\n{% endfor %}\n",
    "{% for x in items -%}\n  - {{ x }}\n{%- endfor %}\n",
    "{% for c in 'abc' %}[{{ c }}]{% endfor %}",
    "{% for x in (1, 2) %}{% for y in items %}{{ x }}{{ y }} {% endfor %}{% endfor %}",
    "{% for x in items %}{% if x == 'b' %}B{% else %}{{ x }}{% endif %}{% endfor %}",
    "{% for x in empty %}never{% endfor %}after",
    "{% for k in mapping %}{{ k }};{% endfor %}{% for v in mapping.values() %}{{ v }}{% endfor %}",
    "{% for k, v in mapping.items() %}{{ k }}={{ v }};{% endfor %}{{ k | default('-') }}",
    "{% for a, b in [('x', 1), 'yz', ['p', 'q']] %}{{ b }}{{ a }}{% endfor %}",
    "{% for a, b in [(1, 2)] %}{{ a }}{% endfor %}{{ a | default('-') }}",
    "{% set x = 'outer' %}{% for i in [1, 2] %}{{ x }}{% set x = i %}{{ x }}{% endfor %}{{ x }}",
    "{% for version in ['9'] %}{{ version }}{% endfor %}{{ version }}",
    "{% for i in [1] %}{% set inner = i %}{% endfor %}{{ inner | default('gone') }}",
    "{% if linux %}{% set y = 1 %}{% endif %}{{ y }}",
    "{% if win %}{% set y = 1 %}{% endif %}{{ y | default('ctx') }}",
    "{% if linux %}{% set version = '2' %}{% endif %}{{ version }}",
    "{% if win %}{% set version = '2' %}{% endif %}{{ version }}",
    "{% if win %}{% set name = 'w' %}{% else %}{% set name = 'o' %}{% endif %}{{ name }}",
    # Jinja's frames: a name set later in the template is missing in an earlier loop
    "{% for i in [1] %}{{ version | default('u') }}{% endfor %}{% set version = 2 %}",
    "{% for i in [1] %}{% for j in 'a' %}{{ x | default(j) }}{% endfor %}{% endfor %}"
    "{% set x = 2 %}{{ x }}",
    "{{ version }}{% for i in [1] %}{{ version }}{% endfor %}{% set version = 2 %}{{ version }}",
    "{% for i in [1, 2] %}{{ v | default(i) }}{% set v = i %}{{ v }}{% endfor %}{% set v = 9 %}",
    "{% if win %}{% set version = 1 %}{% elif off %}{% set version = 2 %}{% elif linux %}"
    "{% else %}{% set version = 3 %}{% endif %}{{ version | default('u') }}",
    "{% set x = 1 %}{% for i in [1] %}{% if win %}{% set x = 2 %}{% endif %}{{ x }}{% endfor %}",
    "{% for i in [1] %}{% if win %}{% set y = 2 %}{% endif %}{{ y | default('d') }}{% endfor %}"
    "{% set y = 0 %}",
    "{% for i in [1] %}{{ i }}{% endfor %}{% set i = 5 %}{% for j in [1] %}{{ i }}{% endfor %}",
    "{{ '{{' }} {{ '}}' }} {{ '%}' }} {{ \"-}}\" }}",
    "{ not a tag } {x} %} }} #}",
    "{{ version }}{{ version }}{%if linux%}{{version}}{%endif%}",
    "unicode: é ü \u00a0 {{ name }}",
    "{% if linux %}  \u00a0\n{%- endif %}",
    "{{ 'a' if linux else 'b' }} {{ (1 if win else 2) }}",
    "{% if (1 if win else 0) %}x{% endif %}",
    "{{ '%s-%02d' % (name, n) }} {{ '%d' % (n * 1000 + 3) }} {{ '^(%s)$' % ('a|b') }}",
    "{{ '%(k)s' % mapping }} {{ '100%%' % () }} {{ '%.2f' % f }} {{ '%r' % items }}",
    "{% set data = load_file_regex(load_file='x', regex_pattern='v = ([0-9.]+)') %}"
    "{{ data.group(1) }} {{ data.groups() }} {{ data.span() }}",
]


@pytest.mark.parametrize("text", NATIVE)
def test_native_constructs_match_jinja(text: str) -> None:
    fast = check(text)
    assert fast is not FALLBACK, (text, v0template._parse(text))


UNSUPPORTED = [
    "{% macro m() %}x{% endmacro %}{{ m() }}",
    "{% set x %}block{% endset %}{{ x }}",
    "{% raw %}{{ x }}{% endraw %}",
    "{%- raw -%} {{ x }} {% endraw %}",
    "{% for x in items %}{{ loop.index }}{% endfor %}",
    "{% for x in items if x %}{{ x }}{% endfor %}",
    "{% for x in items %}{{ x }}{% else %}none{% endfor %}",
    "{% for a, b in [(1, 2, 3)] %}{{ a }}{% endfor %}",
    "{% for a, in [(1,)] %}{{ a }}{% endfor %}",
    "{% for a, a in [(1, 2)] %}{{ a }}{% endfor %}",
    "{% for a, b in mapping %}{{ a }}{% endfor %}",
    "{% for x in n %}{{ x }}{% endfor %}",
    "{% for x in range(3) %}{{ x }}{% endfor %}",
    "{% set ns = namespace(a=1) %}{{ ns.a }}",
    "{{ items | sort }}",
    "{{ x is odd }}",
    "{% include 'other.yaml' %}",
    "{{ undefined_name }}",
    "{% if undefined_name %}x{% endif %}",
    "{{ version.__class__ }}",
    "{{ 1 / 0 }}",
    "{{ 'a' + 1 }}",
    "{{ py < 'a' }}",
    "{% if version %}unclosed",
    "{% endif %}",
    "{% if x %}{% else %}{% else %}{% endif %}",
    "{% if linux %}{% elif %}{% endif %}",
    "{{ version",
    "{# unclosed",
    "{{ }}",
    "{% %}",
    "{% set true = 1 %}",
    "{% set x = 1, 2 %}{{ x }}",
    "{% if a if b else c %}x{% endif %}",
    "{% for x in [1] recursive %}{% endfor %}",
    "{%+ if linux %}x{% endif %}",
    "{{+ version }}",
    "a\r\nb {{ version }}",
    "{{ environ.MISSING }}",
    "{{ environ['MISSING'] }}",
    "{{ compiler }}",
    "{% else: %}",
    "{% endif extra %}",
    "{{ items[5] }}",
    "{{ version - }}",
    "{{ x if win }}",
    "{{ '%99999s' % name }}",
    "{% for i in [1] %}{{ version }}{% endfor %}{% set version = 2 %}",
    "{{ '%*d' % (3, 4) }}",
    "{{ '%s %s' % (name,) }}",
    "{{ '%s' % compiler }}",
    "{% set data = load_file_regex(load_file='x', regex_pattern='nomatch') %}{{ data.group(1) }}",
    "{{ load_file_regex(load_file='x', regex_pattern='v') }}",
    "{{ load_file_regex(load_file='x', regex_pattern='v').string }}",
]


@pytest.mark.parametrize("text", UNSUPPORTED)
def test_unsupported_falls_back(text: str) -> None:
    check(text)
    assert v0template.render(text, CTX) is FALLBACK


def _render_result(results: list[Any]) -> list[str]:
    return [
        json.dumps(
            {**r.as_json(), "meta": r.meta, "script": r.script, "staging": r.staging},
            sort_keys=True,
            default=repr,
        )
        for r in results
    ]


def _corpus_jobs() -> list[tuple[Path, Path, str]]:
    found = []
    for base in (SHARED / "corpus", SHARED / "realworld"):
        for feedstock in sorted(base.glob("*")):
            recipe = feedstock / "recipe"
            if not (recipe / "meta.yaml").is_file():
                continue
            jobs = sorted(feedstock.glob(".ci_support/*.yaml"))
            if not jobs and base.name == "realworld":
                corpus_jobs = SHARED / "corpus" / feedstock.name / ".ci_support"
                jobs = sorted(corpus_jobs.glob("*.yaml"))
            for job in jobs:
                if job.name == "README.yaml" or job.name.startswith("migrations"):
                    continue
                variant = yaml.safe_load(job.read_text()) or {}
                platform = (variant.get("target_platform") or ["-".join(job.stem.split("_")[:2])])[
                    0
                ]
                found.append((recipe, job, str(platform)))
    return found


def _render(recipe: Path, job: Path, platform: str) -> list[str] | str:
    try:
        return _render_result(api.render([recipe], variant_files=[job], target_platform=platform))
    except CflError as exc:
        return f"error: {exc}"


@pytest.mark.skipif(not (SHARED / "corpus").is_dir(), reason="no ../shared/corpus beside the repo")
def test_corpus_renders_identically_with_and_without_the_fast_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    jobs = _corpus_jobs()
    assert jobs
    fast_render = v0template.render
    compared = []

    def render_and_compare(text: str, context: Any) -> Any:
        """Each whole text the fast path renders is also Jinja's output, byte for byte."""
        fast = fast_render(text, context)
        if fast is not FALLBACK:
            assert jinja(text, context) == (fast, None)
            compared.append(text)
        return fast

    monkeypatch.setattr(v0template, "render", render_and_compare)
    fast_before = dict(v0template.STATS)
    v0template.REASONS.clear()
    fast_results = [_render(*job) for job in jobs]
    fast = v0template.STATS["fast"] - fast_before["fast"]
    fallback = v0template.STATS["fallback"] - fast_before["fallback"]
    reasons = dict(v0template.REASONS)
    v0template.ENABLED = False
    try:
        slow_results = [_render(*job) for job in jobs]
    finally:
        v0template.ENABLED = True
    for job, a, b in zip(jobs, fast_results, slow_results, strict=True):
        assert a == b, job
    assert len(compared) == fast
    print(f"\nv0 templates over {len(jobs)} jobs: {fast} fast, {fallback} fell back: {reasons}")
    assert fast + fallback > 0
    assert fast >= 0.6 * (fast + fallback), reasons


def _mutate(text: str, rng: random.Random) -> str:
    for _ in range(rng.randint(1, 3)):
        i = rng.randrange(len(text) + 1)
        choice = rng.randrange(7)
        if choice == 0 and i < len(text):
            text = text[:i] + text[i + 1 :]
        elif choice == 1:
            text = text[:i] + rng.choice(["{%", "%}", "}}", "{{", "-", "{#", "#}", "+"]) + text[i:]
        elif choice == 2:
            starts = [j for j in range(len(text)) if text.startswith(("{%", "{{", "%}", "}}"), j)]
            if starts:
                j = rng.choice(starts)
                text = text[:j] + text[j : j + 2] + text[j:]
        elif choice == 3:
            text = text.replace("version", rng.choice(["versio", "vers", "name", "loop"]), 1)
        elif choice == 4:
            text = text[:i] + rng.choice([" ", "\n", "'", '"', "(", ")", "|", "."]) + text[i:]
        elif choice == 5:
            marks = [j for j in range(len(text)) if text.startswith(("{%", "{{"), j)]
            if marks:
                j = rng.choice(marks) + 2
                text = text[:j] + "-" + text[j:]
        else:
            marks = [j for j in range(len(text)) if text.startswith(("%}", "}}"), j)]
            if marks:
                j = rng.choice(marks)
                text = text[:j] + "-" + text[j:]
    return text


_SEEDS = [
    "{% set name = 'zlib' %}\n{% set version = '1.3.1' %}\n\npackage:\n  name: {{ name|lower }}\n"
    "  version: {{ version }}\nbuild:\n  number: {{ environ.get('N', 0) }}\n"
    "{% if linux %}\n  skip: true  # [win]\n{% endif %}\nrequirements:\n  build:\n"
    "    - {{ compiler('c') }}\n{% for x in items -%}\n    - {{ x }}\n{%- endfor %}\n",
    "{%- if py >= 312 -%}\n  a: {{ version.split('.')[0] }}\n{%- elif win %}\n  b\n"
    "{%- else %}{# note -#}\n  c: {{ items | join(',') }}\n{% endif %}\n",
]


def test_mutations_fall_back_or_match_jinja() -> None:
    texts = list(_SEEDS)
    for base in (SHARED / "corpus", SHARED / "realworld"):
        texts += [p.read_text() for p in sorted(base.glob("*/recipe/meta.yaml"))[:8]]
    rng = random.Random(20261203)
    fast = 0
    for n in range(600):
        text = _mutate(texts[n % len(texts)], rng)
        if check(text) is not FALLBACK:
            fast += 1
    print(f"\nmutations: {fast} of 600 rendered fast")
    assert fast > 0


def test_rendering_a_supported_meta_yaml_leaves_jinja_unloaded(tmp_path: Path) -> None:
    recipe = tmp_path / "recipe"
    recipe.mkdir()
    (recipe / "meta.yaml").write_text(
        '{% set name = "tiny" %}\n{% set version = "1.0" %}\n\npackage:\n'
        "  name: {{ name|lower }}\n  version: {{ version }}\n\nbuild:\n  number: 0\n"
        "  noarch: generic\n{% if linux %}\n  # linux only\n{% endif %}\n\n"
        "about:\n  summary: tiny\n"
    )
    code = (
        "import json, sys\nfrom conda_forge_like import api\n"
        f"r = api.render([{str(recipe)!r}], target_platform='linux-64')\n"
        "print(json.dumps([r[0].name, r[0].version, 'jinja2' in sys.modules]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    assert json.loads(out.splitlines()[-1]) == ["tiny", "1.0", False]


def test_templating_uses_the_fast_path_and_keeps_jinja_errors() -> None:
    text = "{% set v = '1' %}{{ v }}"
    assert templating.render_text_collect(text, "meta.yaml", {}) == ("1", [])
    _, errors = templating.render_text_collect("{{ nope }} {{ nada }}", "meta.yaml", {})
    assert "'nope' (line 1), 'nada' (line 1)" in errors[0].message


_WS = [" ", "  ", "\n", " \n ", "\t", "", "\n\n", "\u00a0", "\x0c", "\x1c"]
_EXPRS = ["version", "n", "items", "n + 1", "'a' ~ n", "flag", "nothing", "f", "x", "name|lower",
          "-n", "n-1", "items[0]", "mapping.k", "environ.X", "'%s' % n", "py > 300", "(n, 1)",
          "version > '1'", "x | default('d')", "version | default('d')",
          "i is defined"]  # fmt: skip


class _Generator:
    """Random nested templates of the native constructs, whitespace control everywhere."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)

    def data(self) -> str:
        pieces = [*_WS, "a", "b", "-", "{", "}", "%", "#"]
        return "".join(self.rng.choice(pieces) for _ in range(self.rng.randint(0, 4)))

    def sign(self) -> str:
        return self.rng.choice(["", "", "-"])

    def space(self) -> str:
        return self.rng.choice(["", " ", "  ", "\n"])

    def block(self, text: str) -> str:
        return "{%" + self.sign() + self.space() + text + self.space() + self.sign() + "%}"

    def tag(self, depth: int, names: list[str]) -> str:
        rng = self.rng
        kind = rng.randrange(7 if depth < 3 else 4)
        expr = rng.choice(_EXPRS + names)
        if kind == 0:
            return "{{" + self.sign() + self.space() + expr + self.space() + self.sign() + "}}"
        if kind == 1:
            return "{#" + self.sign() + self.data() + self.sign() + "#}"
        if kind == 2:
            return self.block(f"set {rng.choice(['x', 'version', 'i', 'v'])} = {expr}")
        if kind == 3:
            return self.data()
        if kind == 4:
            text = self.block(f"if {expr}") + self.body(depth + 1, names)
            if rng.random() < 0.4:
                text += self.block(f"elif {rng.choice(_EXPRS)}") + self.body(depth + 1, names)
            if rng.random() < 0.5:
                text += self.block("else") + self.body(depth + 1, names)
            return text + self.block("endif")
        var = rng.choice(["i", "x", "version", "k, v"])
        iterable = rng.choice(["items", "'ab'", "(1, 2)", "[]", "n", "mapping"])
        if var == "k, v":
            iterable = rng.choice(["mapping.items()", "[('a', 1), 'bc']", "items", "[(1, 2, 3)]"])
        inner = self.body(depth + 1, [*names, *var.split(", ")])
        return self.block(f"for {var} in {iterable}") + inner + self.block("endfor")

    def body(self, depth: int = 0, names: list[str] | None = None) -> str:
        count = self.rng.randint(0, 3)
        return "".join(self.tag(depth, names or []) + self.data() for _ in range(count))


def test_generated_templates_match_jinja() -> None:
    generator = _Generator(20261203)
    fast = sum(check(generator.body()) is not FALLBACK for _ in range(1200))
    assert fast > 600
