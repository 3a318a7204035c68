"""Threads for one embedding: the idle cores, the same vectors, and forked gunicorn workers that never hang."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from intents.embed_threads import cores, running_threads, settled, team_size
from intents.semantic import E5Small

ROOT = Path(__file__).resolve().parents[2]
SENTENCES = [
    "my mother fell in the kitchen this morning and she cannot get up again",
    "식사 배달 신청하고 싶어요",
    "我爸刚打电话，说话含含糊糊的，半边嘴往下耷拉",
    "necesito que alguien me lleve al médico el jueves",
]


@pytest.mark.parametrize(
    ("wanted", "n_cores", "running", "inherited", "threads"),
    [
        (2, 2, 1, False, 2),  # only this thread runs: the other core is idle
        (2, 2, 2, False, 1),  # something else runs on the other core
        (2, 2, 9, False, 1),
        (2, 4, 2, False, 2),  # two cores idle, two wanted
        (4, 4, 3, False, 2),  # as many as the idle cores, plus this one
        (2, 1, 1, False, 1),  # one core
        (1, 2, 1, False, 1),  # asked for one
        (2, 2, None, False, 1),  # the load is unknown
        (2, 2, 1, True, 1),  # forked from a process that had run a team: its threads are gone
    ],
)
def test_team_size(wanted: int, n_cores: int, running: int | None, inherited: bool, threads: int) -> None:
    assert team_size(wanted, n_cores, running, inherited) == threads


@pytest.mark.parametrize(
    ("previous", "now", "running"),
    [
        (None, 1, 1),  # the first reading is all there is
        (None, 2, 2),
        (1, 2, 1),  # a blip: something ran for a moment after one embedding and not before it
        (2, 1, 1),  # the other core is free again
        (2, 2, 2),  # a load that lasts: seen twice
        (3, 2, 2),
        (1, None, None),  # unknown now: unknown (one thread)
    ],
)
def test_the_load_is_the_smaller_of_two_readings(previous: int | None, now: int | None, running: int | None) -> None:
    assert settled(previous, now) == running


@pytest.mark.skipif(cores() != 2, reason="the sizes below are those of a 2-core machine")
def test_a_moments_load_keeps_the_team_and_a_lasting_one_halves_it() -> None:
    # The kernel's count read before each embedding: idle, a blip (kdamond, a RabbitMQ scheduler), idle, then
    # another process that keeps a core busy, then gone.
    readings = iter([1, 2, 1, 2, 2, 2, 1, None])
    model = E5Small(running=lambda: next(readings))
    model.embed(SENTENCES[:1])  # loads the engine (the first reading)
    assert [model.team() for _ in range(7)] == [2, 2, 2, 1, 1, 2, 1]


def test_the_machines_load_and_cores_are_read() -> None:
    running = running_threads()
    assert running is not None and running >= 1  # this test's own thread runs
    assert cores() >= 1


@pytest.mark.skipif(cores() < 2, reason="one core: no team to compare")
def test_two_threads_embed_the_very_same_vectors_as_one() -> None:
    # The trained classifier stays valid: the team splits each matrix product's rows, every row computed alike.
    two = E5Small(running=lambda: 1)  # as if the machine were idle
    one = E5Small(max_threads=1)
    vectors = two.embed(SENTENCES)
    assert two.team() == 2 and one.team() == 1
    assert np.array_equal(vectors, one.embed(SENTENCES))
    assert np.array_equal(two.embed(SENTENCES[:1]), one.embed(SENTENCES[:1]))


def _forked(parent: str) -> subprocess.CompletedProcess[str]:
    """Run `parent`, fork; the child embeds and prints its team, the parent waits for it."""
    code = textwrap.dedent(
        f"""
        import os, signal, time
        from intents.semantic import E5Small
        model = E5Small(running=lambda: 1)
        text = {SENTENCES[0]!r}
        {parent}
        pid = os.fork()
        if pid == 0:
            print("team", model.team(), "length", len(model.embed([text])[0]), flush=True)
            os._exit(0)
        deadline = time.monotonic() + 60
        while os.waitpid(pid, os.WNOHANG) == (0, 0):
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                print("hung")
                break
            time.sleep(0.05)
        """
    )
    # A libgomp team whose threads did not survive the fork waits for them forever: the parent kills it.
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=180, cwd=ROOT)


@pytest.mark.skipif(cores() < 2, reason="one core: never a team")
def test_a_worker_forked_after_its_parent_ran_a_team_embeds_on_one_thread() -> None:
    done = _forked("model.embed([text])")
    assert done.returncode == 0, done.stderr
    assert "team 1 length 384" in done.stdout


@pytest.mark.skipif(cores() < 2, reason="one core: never a team")
def test_preloading_before_gunicorn_forks_leaves_the_workers_their_teams() -> None:
    done = _forked("model.preload()")
    assert done.returncode == 0, done.stderr
    assert "team 2 length 384" in done.stdout
