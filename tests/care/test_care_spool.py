"""The SMS spool (care.spool) on real files: kept texts come back oldest first, each once, across crashes."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from care.spool import CLAIMED, SET_ASIDE, Spool, Spooled


class Away(Exception):
    """The database went away again (the replay must stop and keep the rest)."""


def _sid(n: int) -> str:
    return f"SM{n:032d}"


def _keep(spool: Spool, count: int, start: int = 0) -> list[str]:
    sids = [_sid(n) for n in range(start, start + count)]
    for sid in sids:
        spool.append(sid, "+15550001111", f"text {sid[-3:]}")
    return sids


def test_kept_texts_come_back_oldest_first_and_the_spool_is_then_empty(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool")
    sids = _keep(spool, 5)
    assert spool.pending() and spool.count() == 5
    seen: list[str] = []
    report = spool.replay(lambda e: seen.append(e.message_sid), retry_later=lambda _e: False)
    assert seen == sids and report.replayed == 5 and report.left == 0
    assert not spool.pending() and spool.count() == 0
    assert spool.replay(lambda e: seen.append(e.message_sid), retry_later=lambda _e: False).replayed == 0


def test_a_process_that_died_after_keeping_texts_leaves_them_for_the_next_one(tmp_path: Path) -> None:
    # The web worker that kept them is gone (crash between spool and replay): a new process finds them.
    folder = tmp_path / "spool"
    sids = _keep(Spool(folder), 3)
    seen: list[str] = []
    Spool(folder).replay(lambda e: seen.append(e.message_sid), retry_later=lambda _e: False)
    assert seen == sids


def test_the_database_going_again_mid_replay_keeps_the_rest_in_order(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool")
    sids = _keep(spool, 4)
    handled: list[str] = []

    def fails_on_third(entry: Spooled) -> None:
        if len(handled) == 2:
            raise Away()
        handled.append(entry.message_sid)

    report = spool.replay(fails_on_third, retry_later=lambda e: isinstance(e, Away))
    assert report.replayed == 2 and report.left == 2
    [claimed] = [p.name for p in (tmp_path / "spool").iterdir() if not p.name.startswith(".")]
    assert claimed.endswith(CLAIMED)
    later = _keep(spool, 1, start=10)  # a text kept after the claim goes after the older ones
    again: list[str] = []
    spool.replay(lambda e: again.append(e.message_sid), retry_later=lambda _e: False)
    # The replayer that died half-way (or stopped) hands the first two again: the handling skips a MessageSid it
    # stored, so each is stored once; the order holds.
    assert again == sids + later


def test_a_text_the_handling_refuses_for_good_is_set_aside_and_does_not_block_the_others(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool")
    sids = _keep(spool, 3)
    handled: list[str] = []

    def refuses_second(entry: Spooled) -> None:
        if entry.message_sid == sids[1]:
            raise ValueError("a bug, not an outage")
        handled.append(entry.message_sid)

    report = spool.replay(refuses_second, retry_later=lambda e: isinstance(e, Away))
    assert handled == [sids[0], sids[2]] and report.set_aside == 1 and not spool.pending()
    assert sids[1] in (tmp_path / "spool" / SET_ASIDE).read_text(encoding="utf-8")


def test_an_unfinished_line_from_a_crash_mid_write_is_dropped_and_the_rest_replayed(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool")
    sids = _keep(spool, 2)
    [path] = (tmp_path / "spool").glob("*.jsonl")
    with path.open("ab") as f:
        f.write(b'{"sid": "SMtorn", "from": "+1555')  # never fsynced, never acknowledged to Twilio
    seen: list[str] = []
    spool.replay(lambda e: seen.append(e.message_sid), retry_later=lambda _e: False)
    assert seen == sids and not spool.pending()


def test_writers_racing_replayers_lose_nothing_and_hand_each_text_on_once(tmp_path: Path) -> None:
    folder = tmp_path / "spool"
    writers, per_writer = 4, 60
    seen: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def act(entry: Spooled) -> None:
        with lock:
            seen.append(entry.message_sid)

    def write(w: int) -> None:
        spool = Spool(folder)  # each as its own process would: one file each
        for n in range(per_writer):
            spool.append(_sid(w * 1000 + n), "+15550001111", "x")

    def replay_until_stopped() -> None:
        spool = Spool(folder)
        while not stop.wait(0.002):
            spool.replay(act, retry_later=lambda _e: False)

    replayers = [threading.Thread(target=replay_until_stopped) for _ in range(2)]
    threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
    for thread in (*replayers, *threads):
        thread.start()
    for thread in threads:
        thread.join()
    stop.set()
    for thread in replayers:
        thread.join()
    Spool(folder).replay(act, retry_later=lambda _e: False)
    expected = sorted(_sid(w * 1000 + n) for w in range(writers) for n in range(per_writer))
    assert sorted(seen) == expected  # every text, each exactly once
    for w in range(writers):  # and each writer's texts in the order it kept them
        mine = [s for s in seen if int(s[2:]) // 1000 == w]
        assert mine == sorted(mine)


@pytest.mark.parametrize("body", ["엄마 병원 예약 부탁해요\n둘째 줄", 'quote " and \\ and \r'])
def test_any_body_survives_the_round_trip(tmp_path: Path, body: str) -> None:
    spool = Spool(tmp_path / "spool")
    spool.append("SM1", "+15550001111", body)
    seen: list[str] = []
    spool.replay(lambda e: seen.append(e.body), retry_later=lambda _e: False)
    assert seen == [body]
