"""digests: hashlib's values whichever implementation computes them; OpenSSL past the budget."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

import pytest

from conda_forge_like import digests

SIZES = [0, 1, 63, 64, 65, 4096, digests.SMALL - 1, digests.SMALL, digests.SMALL + 1, 3 << 20]


@pytest.mark.parametrize("name", ["sha256", "sha1", "md5"])
@pytest.mark.parametrize("size", SIZES)
def test_one_shot_and_chunked_digests_are_hashlibs(
    name: str, size: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = os.urandom(size)
    expected = hashlib.new(name, data)
    for left in (digests.SMALL, 1000, 0):  # the budget whole, part spent, spent
        monkeypatch.setattr(digests._Budget, "left", left)
        make = getattr(digests, name)
        assert make(data).hexdigest() == expected.hexdigest()
        monkeypatch.setattr(digests._Budget, "left", left)
        chunked = make()
        for at in range(0, size, 70_001):
            chunked.update(memoryview(data)[at : at + 70_001])
        assert chunked.digest() == expected.digest()
        assert chunked.hexdigest() == expected.hexdigest()  # digest twice: same answer


def test_a_hash_moves_to_hashlib_when_the_budget_runs_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(digests._Budget, "left", 100)
    first, second = digests.sha256(b"a" * 60), digests.sha256(b"b" * 30)
    assert digests._Budget.left == 10
    first.update(b"c" * 50)  # more than is left: this one and every later one use hashlib
    assert digests._Budget.left == 0
    third = digests.sha256(b"d")
    second.update(b"e")
    assert first._large is not None
    assert third._large is not None
    assert first.hexdigest() == hashlib.sha256(b"a" * 60 + b"c" * 50).hexdigest()
    assert second.hexdigest() == hashlib.sha256(b"b" * 30 + b"e").hexdigest()
    assert third.hexdigest() == hashlib.sha256(b"d").hexdigest()


def test_small_inputs_do_not_load_openssl() -> None:
    code = (
        "import sys; from conda_forge_like import digests; "
        "h = digests.sha256(); [h.update(b'x' * 1000) for _ in range(100)]; h.hexdigest(); "
        "digests.md5(b'y').hexdigest(); digests.sha1(b'z').hexdigest(); "
        "print('hashlib' in sys.modules, '_hashlib' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False"]
