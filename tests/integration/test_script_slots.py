"""``--jobs N``: at most N build scripts run at once, while cfl prepares the next output beside
them (``script.SLOTS``, and the spare thread of ``pipeline.build_all``)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from conda_forge_like import api
from conda_forge_like.build.script import Slots

_RECIPE = """\
package:
  name: slots-probe
  version: "1.0"
build:
  number: 0
  script:
    - mkdir {running}/$$
    - dirs=$(find {work} -mindepth 1 -maxdepth 1 -type d | wc -l)
    - echo "$(ls {running} | wc -l) $dirs" >> {seen}/${{{{ n }}}}
    - sleep 0.4
    - rmdir {running}/$$
    - mkdir -p $PREFIX/share && echo ${{{{ n }}}} > $PREFIX/share/slots-probe.txt
"""


def test_a_limit_caps_how_many_hold_a_slot_and_no_limit_caps_nothing() -> None:
    slots = Slots()
    inside, most = 0, 0
    lock = threading.Lock()

    def hold() -> None:
        nonlocal inside, most
        with slots.held():
            with lock:
                inside += 1
                most = max(most, inside)
            time.sleep(0.05)
            with lock:
                inside -= 1

    def run_all(count: int) -> None:
        threads = [threading.Thread(target=hold) for _ in range(count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    with slots.limit(2):
        run_all(6)
    assert most == 2
    most = 0
    run_all(4)  # the limit ended with its block
    assert most == 4


def test_jobs_two_runs_two_scripts_at_once_and_prepares_a_third_output(tmp_path: Path) -> None:
    running, seen, out = tmp_path / "running", tmp_path / "seen", tmp_path / "channel"
    running.mkdir()
    seen.mkdir()
    recipe = tmp_path / "recipe" / "recipe.yaml"
    recipe.parent.mkdir()
    recipe.write_text(_RECIPE.format(running=running, seen=seen, work=out / "work"))
    results = api.build(
        [recipe.parent], output_dir=out, jobs=2, test=False, overrides=["n=1,2,3,4"],
        sandbox=False,  # the script records into tmp_path, outside its work directory
    )
    assert sorted(r.status for r in results) == ["built"] * 4
    counts = [tuple(map(int, f.read_text().split())) for f in sorted(seen.iterdir())]
    assert len(counts) == 4
    assert max(scripts for scripts, _ in counts) == 2  # two at once, never three
    # While two scripts slept, the spare thread had set up a third output's work directory
    # (and with one thread per slot, only the two running outputs have one).
    assert max(dirs for _, dirs in counts) >= 3
