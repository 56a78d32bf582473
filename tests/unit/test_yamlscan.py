"""The fast YAML loader returns exactly what the PyYAML path returns, or falls back to it."""

from __future__ import annotations

import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from conda_forge_like import yamlio

sys.path.insert(0, str(Path(__file__).parent))
from yamlscan_compare import check, fast, same, slow

REPO = Path(__file__).resolve().parents[2]
# ``shared/`` lives beside the repository; a git worktree in ``wt/<name>/`` finds it one level up
SHARED = next((p / "shared" for p in REPO.parents[:2] if (p / "shared").is_dir()), None)


def assert_same(text: str, numbers: str, native: bool = True) -> None:
    handled, problem = check(text, numbers)
    assert problem is None, problem
    if native:
        assert handled, f"fell back: {fast(text, numbers)[1]}"
    else:
        assert not handled, "expected a fallback"


_WORDS = "yes Yes YES no No NO true True TRUE false False FALSE on On ON off Off OFF yEs nULL"
_WORDS = [
    *("yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE", "false", "False"),
    *("FALSE", "on", "On", "ON", "off", "Off", "OFF", "yEs", "nULL"),
]
NATIVE = [
    "a: 1\nb: [1, 2, {c: d}]\n",
    'version: 1.10\nsha256: 000123\non: yes\nkey: "a # b"\nurl: http://x/y#frag\n',
    "a: [1, 2, {b: c}]\n",
    "key: value # comment\nother: v#not\n",
    "- python >=3.8,<4\n- numpy 1.2.*\n- x{{ y }}\n",
    "a:b\n",
    "a:b: c\n",
    "x: a:b\n",
    "",
    "\n\n",
    "# only a comment\n",
    "  # indented comment\n\n",
    "---\na: 1\n",
    "---\na: 1\n...\n",
    "--- # c\n- a\n",
    "---\n",
    "\ufeffa: 1\n",
    "a: 1\r\nb:\r\n  - c\r\n",
    "a: 1   \nb: two words   \n",
    # typing
    "a: ~\nb: null\nc: Null\nd: NULL\ne:\nf: ''\n",
    "\n".join(f"k{i}: {w}" for i, w in enumerate(_WORDS)),
    "a: 0x1F\nb: 1_000\nc: 1:20\nd: 012\ne: .inf\nf: 1e3\ng: -5\nh: +7\ni: 0b101\nj: 0\n",
    "a: 1.\nb: .5\nc: -.inf\nd: .NaN\ne: 1.2.3\nf: 1_\ng: 0o7\nh: 08\ni: 190:20:30.15\n",
    "a: '1'\nb: \"yes\"\nc: 'null'\n",
    "1: a\ntrue: b\nnull: c\n~: d\n2.5: e\n'3': f\n",
    "a: 1\na: 2\nb: 3\na: 4\n",
    "1: a\ntrue: b\n",
    # block collections
    "key:\n- a\n- b\nc:\n  - d\n  - e: 1\n    f: 2\n  - - x\n    - y\n",
    "- - a\n  - b\n- - c\n",
    "- a: 1\n  b:\n    c: 2\n- d\n",
    "-   a: 1\n    b: 2\n",
    "a:\n  b:\n    c:\n      - 1\n",
    "a:\nb: ~\n",
    "- \n- a\n-\n- # c\n  b\n",
    "a:\n  # c\n  b: 1\n# c\nc: 2\n",
    "-\n  a: 1\n-\n  - x\n",
    "key:\n-\n  a: 1\n- b\n",
    "  a: 1\n  b: 2\n",
    '"a b": 1\n\'c\': 2\n"": 3\n',
    "- 'a': 1\n  \"b\": 2\n",
    # plain scalars
    "a: b\n  c\n\n  d\n",
    "a: b\n  c\n\n\n  d # e\nf: g\n",
    "- a\n  - b\n- c\n",
    "top level\nscalar\n",
    "a: x  y   z\n",
    "a: -x\nc: x]\nd: x,y\ne: x{y}\nf: a 'b' \"c\"\n",
    "a: 'it''s'\nb: \"x\\ty\\u00e9\\x41\\U0001F600\\\\\\\"\"\nc: 'multi\n  line'\n",
    'a: "multi\n  line\n\n  with blank"\nb: "esc\\\n   aped"\nc: \'trail  \n  x\'\n',
    'a: "\\0\\a\\b\\n\\v\\f\\r\\e\\ \\N\\_\\L\\P"\n',
    "a: 'x' # c\nb: \"y\"   # c\n",
    "a: \"a # b\"\nb: 'a: b'\n",
    # block scalars
    "a: |\n  line1\n  line2\n\nb: >-\n  folded\n  text\n\n  more\nc: |+\n  keep\n\n",
    "a: |\n  x\n    indented\n  y\n",
    "a: >\n  a\n  b\n    c\n  d\n\n  e\n",
    "a: |-\n  x\n\n\n",
    "a: |+\n  x\n\n\nb: 1\n",
    "a: |2\n    x\n  y\n",
    "a: |-2\n   x\n",
    "a: >+1\n  x\n",
    "a: | # comment\n  x\n  # not a comment\n",
    "a: |\n\n  x\n",
    "a: |\n  x\n # c\nb: 1\n",
    "a: |\n  x\n   \n  y\n",
    "- |\n  in a list\n- >\n  folded\n  item\n",
    "a:\n  - b: |\n      deep\n    c: 1\n",
    "a: |\n  no newline at end",
    "a: |+\n  x\n  ",
    # flow collections
    "a: [1, 2, 3,]\nb: {x: 1, y: [a, b],}\nc: []\nd: {}\n",
    "a: [\n  1,\n  2\n]\n",
    "a: [a, # c\n  b]\n",
    "a: [[a, b], [c]]\nb: [{x: 1}, {y: 2}]\n",
    "a: {'x': 'y', \"z\": w}\n",
    "[a, b]\n",
    "{a: 1}\n",
    "a: [yes, no, ~, 1, '1', 0x10, 1.5]\n",
    "a: [  a  b  , c ]\n",
    "skip: [\n  win,\n  osx\n]\n",
    # text past ASCII
    "a: caf\u00e9\nb: '\u00fc'\nc: \"\U0001f600\"\nd: \u4e2d\u6587\n",
    "name: J\u00f6rg M\u00fcller  # maint\u00e4iner\n",
]

FALLBACK = [
    "a: &x 1\nb: *x\n",
    "a: !tag 1\n",
    "%YAML 1.1\n---\na: 1\n",
    "? a\n: b\n",
    "a: 1\n---\nb: 2\n",
    "a:\n\tb: 1\n",
    "a: [b: c]\n",
    "a: 2020-01-01\n",
    "<<: {a: 1}\n",
    "- {{ a }}\n",
    "a: b: c\n",
    "a: - b\n",
    "a: 1\n b: 2\n",
    "a:\n    b: 1\n  c: 2\n",
    "a: [1, 2\n",
    "a: 'x\n",
    'a: "x\\q"\n',
    "a: b\n  c: d\n",
    "[a]: b\n",
    "{a: b}: c\n",
    "a: |\nb: 1\n",
    "- a\nb: 1\n",
    "a: 1\n- b\n",
    "a: @x\n",
    "a: `x`\n",
    "a: %x\n",
    "a: 'x' y\n",
    "a: [a,, b]\n",
    "a: {x}\n",
    "a: {x:1}\n",
    "=: 1\n",
    "a: x\x00\n",
    "a: x\ry\n",
    "a: \x85\n",
    "a: x\u2028y\n",
    "a: \ufeffx\n",
    "a: \ud800\n",
    "|\n  top\n",
    "a: [x\n  y]\n",
    "a: 'x'\n... \nb: 1\n",
]


@pytest.mark.parametrize("numbers", ["str", "v1"])
@pytest.mark.parametrize("text", NATIVE)
def test_native(text: str, numbers: str) -> None:
    assert_same(text, numbers)


@pytest.mark.parametrize("numbers", ["str", "v1"])
@pytest.mark.parametrize("text", FALLBACK)
def test_falls_back(text: str, numbers: str) -> None:
    assert_same(text, numbers, native=False)


def test_load_takes_the_fast_path_and_keeps_pyyaml_errors() -> None:
    tree = yamlio.load("a:\n  - 1\n  - x: yes\n", "t.yaml", numbers="v1")
    assert tree == {"a": [1, {"x": True}]}
    assert tree.key_lines == {"a": 1}
    assert tree["a"].item_lines == [2, 3]
    assert yamlio.key_line(tree["a"][1], "x") == 3
    with pytest.raises(yamlio.RecipeError) as caught:
        yamlio.load("a: 1\nb: [x\n", "t.yaml", line_offset=10)
    assert caught.value.location.line == 12
    ok, _ = slow("a: 1\nb: [x\n", "str")
    assert not ok


def test_yaml_is_not_imported_for_a_native_document() -> None:
    code = (
        "import sys; from conda_forge_like import yamlio\n"
        "assert yamlio.load('a: [1, 2]\\nb: |\\n  x\\n', 'f', numbers='v1')['a'] == [1, 2]\n"
        "print('yaml' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    )
    assert out.stdout.strip() == "False"


# --- the documents cfl loads for real recipes --------------------------------------------


def _collect_documents() -> dict[tuple[str, str], str]:
    from conda_forge_like import api

    docs: dict[tuple[str, str], str] = {}
    original = yamlio.load

    def spy(text: str, filename: str, line_offset: int = 0, numbers: str = "str") -> Any:
        docs.setdefault((text, numbers), filename)
        return original(text, filename, line_offset, numbers)

    recipes: list[Path] = []
    if SHARED is not None:
        recipes += sorted(SHARED.glob("corpus/*/recipe"))
        recipes += sorted(SHARED.glob("realworld/*/recipe"))
    recipes += sorted({p.parent for p in REPO.glob("recipes/*/*.yaml")})
    recipes += sorted({p.parent for p in REPO.glob("baseplate/*/*.yaml")})
    yamlio.load = spy  # type: ignore[assignment]
    try:
        for recipe in recipes:
            jobs: list[Path | None] = [*sorted((recipe.parent / ".ci_support").glob("*.yaml"))]
            for job in jobs or [None]:
                platform = "-".join(job.stem.split("_")[:2]) if job else "linux-64"
                try:
                    api.render(
                        [recipe], variant_files=[job] if job else [], target_platform=platform
                    )
                except Exception:  # noqa: BLE001 - only the YAML documents matter here
                    continue
    finally:
        yamlio.load = original  # type: ignore[assignment]
    for pattern in ("variants/**/*.yaml", "recipes/**/*.yaml", "baseplate/**/*.yaml"):
        for path in REPO.glob(pattern):
            if path.name != "meta.yaml":  # a Jinja template: cfl loads it rendered
                for numbers in ("str", "v1"):
                    docs.setdefault((path.read_text(), numbers), str(path))
    return docs


@pytest.fixture(scope="module")
def documents() -> dict[tuple[str, str], str]:
    if SHARED is None:
        pytest.skip("../shared (the real feedstocks) is not beside the repository")
    return _collect_documents()


def test_corpus_documents_load_the_same(documents: dict[tuple[str, str], str]) -> None:
    native = 0
    reasons = []
    for (text, numbers), filename in documents.items():
        for mode in ("str", "v1"):
            handled, problem = check(text, mode)
            assert problem is None, f"{filename} ({mode}): {problem}"
            if mode == numbers:
                native += handled
                if not handled:
                    reasons.append(f"{filename}: {fast(text, mode)[1]}")
    assert len(documents) > 100
    assert native >= 0.95 * len(documents), "\n".join(reasons)


_INSERTS = [
    ": ", "#", " #", "'", '"', "[", "]", "{", "}", "-", "- ", " ", "  ", "\n", ",", "|", ">",
    ":", "\\", "&", "*", "!", "?", "~", "0", "1.0", "yes", "\n  ", "\t", "%", "---\n",
]  # fmt: skip


def _mutate(rng: random.Random, text: str) -> str:
    for _ in range(rng.randint(1, 3)):
        lines = text.split("\n")
        op = rng.randrange(5)
        at = rng.randrange(len(text) + 1)
        row = rng.randrange(len(lines))
        if op == 0:
            text = text[:at] + text[at + 1 :]
        elif op == 1:
            lines.insert(row, lines[row])
            text = "\n".join(lines)
        elif op == 2:
            shift = rng.choice([-2, -1, 1, 2])
            lines[row] = " " * shift + lines[row] if shift > 0 else lines[row][-shift:]
            text = "\n".join(lines)
        else:
            text = text[:at] + rng.choice(_INSERTS) + text[at:]
    return text


def test_mutations_fall_back_or_agree(documents: dict[tuple[str, str], str]) -> None:
    rng = random.Random(20261203)
    texts = sorted({text for text, _ in documents} | set(NATIVE))
    start = time.monotonic()
    checked = 0
    while checked < 30000 and time.monotonic() - start < 8:
        lines = rng.choice(texts).split("\n")
        first = rng.randrange(len(lines))
        snippet = _mutate(rng, "\n".join(lines[first : first + rng.randint(3, 40)]))
        for numbers in ("str", "v1"):
            _, problem = check(snippet, numbers)
            assert problem is None, f"{snippet!r} ({numbers}): {problem}"
            checked += 1
    assert checked > 1000


def test_same_notices_differences() -> None:
    a = yamlio.load("a: [1]\n", "f")
    b = yamlio.load("a:\n- 1\n", "f")
    assert same(a, a) is None
    assert same(a, b) is not None
    assert same({"a": 1} | {}, yamlio.YDict(a=1)) is not None


def test_low_indentation_inside_flow_and_quotes_is_what_libyaml_reads() -> None:
    for text in ["a: [\n1,\n2]\n", "a: {\nb: 1\n}\n", 'a: "x\ny"\n', "a: 'x\n\n'\n"]:
        assert_same(text, "str")
