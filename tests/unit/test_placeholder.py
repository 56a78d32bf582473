"""The recorded prefix placeholder does not depend on where the build ran."""

from __future__ import annotations

from pathlib import Path

from conda_forge_like.build import environments, placeholder
from conda_forge_like.package import file_record


def _build(out: Path) -> tuple[Path, str, list[str]]:
    host = environments.padded_prefix(out / "work" / "b")
    host.mkdir(parents=True)
    (host / "bin").mkdir()
    prefix = str(host)
    (host / "bin" / "tool").write_bytes(b"\x7fELF\0" + prefix.encode() + b"/share\0rest")
    (host / "bin" / "script").write_text(f"#!{prefix}/bin/python\nprint(1)\n")
    (host / "bin" / "plain").write_text("no prefix here\n")
    return host, prefix, ["bin/plain", "bin/script", "bin/tool"]


def _records(out: Path) -> list[tuple[str, str | None, str, int]]:
    host, prefix, paths = _build(out)
    records = [file_record(host, p, None if p == "bin/plain" else prefix) for p in paths]
    done = placeholder.rewrite(host, records, prefix)
    return [(r.path, r.prefix_placeholder, r.sha256, r.size) for r in done]


def test_two_output_folders_give_the_same_bytes_and_placeholder(tmp_path: Path) -> None:
    first = _records(tmp_path / "a")
    second = _records(tmp_path / "somewhere" / "much" / "deeper")
    assert first == second
    canonical = placeholder.canonical()
    assert len(canonical) == environments.PREFIX_LENGTH
    assert canonical.startswith("/opt/cfl/h_env_placehold_placehold")
    assert [r[1] for r in first] == [None, canonical, canonical]


def test_binary_layout_is_kept(tmp_path: Path) -> None:
    host, prefix, _ = _build(tmp_path)
    before = (host / "bin" / "tool").read_bytes()
    records = [file_record(host, "bin/tool", prefix, "binary")]
    [record] = placeholder.rewrite(host, records, prefix)
    after = (host / "bin" / "tool").read_bytes()
    assert len(after) == len(before) == record.size
    assert after.index(b"/share\0") == before.index(b"/share\0")
    assert record.file_mode == "binary"
    assert prefix.encode() not in after
