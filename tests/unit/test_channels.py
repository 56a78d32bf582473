"""`-c CHANNEL`: URLs stay, paths are folders, bare names live on the channel alias."""

from __future__ import annotations

from pathlib import Path

import pytest

from conda_forge_like import channels
from conda_forge_like.errors import UsageError


def resolve(text: str) -> str:
    """Resolved with the default alias, on a machine with no folders."""
    return channels.resolve(text, environ={}, is_dir=lambda _: False)


def test_a_bare_name_is_a_channel_on_the_default_alias() -> None:
    url = resolve("conda-forge")
    assert url == f"{channels.DEFAULT_CHANNEL_ALIAS}/conda-forge"
    assert url.startswith("https://")


def test_the_alias_can_be_replaced() -> None:
    environ = {channels.ALIAS_VARIABLE: "http://mirror.invalid/conda/"}
    url = channels.resolve("bioconda", environ=environ, is_dir=lambda _: False)
    assert url == "http://mirror.invalid/conda/bioconda"


@pytest.mark.parametrize(
    "text", ["https://example.invalid/ch", "file:///srv/channel", "http://h.invalid:8000/c"]
)
def test_a_url_stays_what_it_is(text: str) -> None:
    assert resolve(text) == text


@pytest.mark.parametrize("text", ["./local", "../up", "sub/dir", "/abs/channel", ".hidden"])
def test_paths_stay_paths(text: str) -> None:
    assert resolve(text) == text


def test_tilde_is_expanded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", "/home/someone")
    assert resolve("~/channel") == "/home/someone/channel"


def test_an_existing_folder_wins_over_a_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "conda-forge").mkdir()
    monkeypatch.chdir(tmp_path)
    assert channels.resolve("conda-forge", environ={}) == "conda-forge"
    assert channels.resolve("bioconda", environ={}).endswith("/bioconda")


@pytest.mark.parametrize("text", ["bad name", "conda forge", "x;y", ""])
def test_a_malformed_name_is_refused_with_a_tip(text: str) -> None:
    with pytest.raises(UsageError) as caught:
        resolve(text)
    assert "neither a URL, a path nor a channel name" in str(caught.value)
    assert caught.value.hint


def test_render_reads_and_checks_channels(capsys: pytest.CaptureFixture[str]) -> None:
    from conda_forge_like import cli

    root = Path(__file__).resolve().parents[2]
    recipe = str(root / "recipes" / "libgreet")
    assert cli.main(["render", recipe, "-c", "conda-forge", "--json"]) == 0
    assert cli.main(["render", recipe, "-c", "not a channel"]) == 2
    assert "not a channel" in capsys.readouterr().err
