"""win-64 packages follow conda-forge's layout: native files under Library/ (``win-layout``)."""

from __future__ import annotations

from conda_forge_like.abi.layout import layout_findings


def test_unix_layout_in_a_win_package_is_a_warning_naming_the_files() -> None:
    files = ["bin/z.dll", "lib/libz.dll.a", "include/z.h", "Library/share/doc.txt"]
    [found] = layout_findings(files, "win-64", {})
    assert (found.severity, found.code, found.path) == ("warning", "win-layout", "bin/z.dll")
    assert "3 file(s)" in found.message
    assert "bin/z.dll, include/z.h, lib/libz.dll.a" in found.message
    assert "$LIBRARY_PREFIX" in found.hint


def test_library_layout_python_folders_and_other_targets_pass() -> None:
    ok = ["Library/bin/z.dll", "Library/lib/z.lib", "Library/include/z.h",
          "Lib/site-packages/z.py", "Scripts/z.exe"]  # fmt: skip
    assert layout_findings(ok, "win-64", {}) == []
    assert layout_findings(["bin/z", "lib/libz.so"], "linux-64", {}) == []
    assert layout_findings(["bin/z.dll"], "win-64", {"win-layout": "ignore"}) == []
