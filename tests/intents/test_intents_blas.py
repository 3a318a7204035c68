"""Training's matrix kernels: OpenBLAS's AVX2 (Haswell) ones wherever the CPU has AVX2, so a rebuild agrees.

The model of 7 December, rebuilt on an AMD EPYC with AVX-512 (OpenBLAS's SkylakeX kernels), came out with other
heads and thresholds than on the AVX2 machine that trained it; with the Haswell kernels it gave the same first head.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from intents import blas

ROOT = Path(__file__).resolve().parents[2]
AVX512 = "processor\t: 0\nflags\t\t: fpu sse2 avx fma avx2 avx512f avx512bw avx512vl\n"
AVX2 = "processor\t: 0\nflags\t\t: fpu sse2 avx fma avx2\n"
NO_AVX2 = "processor\t: 0\nflags\t\t: fpu sse2 sse4_2 avx\n"
ARM = "processor\t: 0\nFeatures\t: fp asimd evtstrm aes\n"


@pytest.mark.parametrize(("cpuinfo", "expected"), [(AVX512, True), (AVX2, True), (NO_AVX2, False), (ARM, False)])
def test_the_cpus_avx2_is_read_from_its_flags(cpuinfo: str, expected: bool) -> None:
    assert blas.has_avx2(cpuinfo) is expected


def _pinned(cpuinfo: str, environ: dict[str, str]) -> tuple[str | None, dict[str, str]]:
    """pin() as it runs before numpy is imported (this test process has numpy already)."""
    loaded = sys.modules.pop("numpy")
    try:
        return blas.pin(environ, cpuinfo), environ
    finally:
        sys.modules["numpy"] = loaded


def test_an_avx512_machine_is_asked_for_the_avx2_kernels() -> None:
    assert _pinned(AVX512, {}) == ("Haswell", {"OPENBLAS_CORETYPE": "Haswell"})


def test_a_choice_already_made_is_kept() -> None:
    assert _pinned(AVX512, {"OPENBLAS_CORETYPE": "SkylakeX"}) == ("SkylakeX", {"OPENBLAS_CORETYPE": "SkylakeX"})


@pytest.mark.parametrize("cpuinfo", [NO_AVX2, ARM])
def test_a_cpu_without_avx2_is_left_to_openblas(cpuinfo: str) -> None:
    assert _pinned(cpuinfo, {}) == (None, {})


def test_after_numpy_has_loaded_nothing_is_set() -> None:
    environ: dict[str, str] = {}
    assert blas.pin(environ, AVX512) is None and environ == {}


@pytest.mark.skipif(not blas.has_avx2(blas.CPUINFO.read_text()), reason="this CPU has no AVX2")
def test_python_m_intents_runs_on_the_avx2_kernels(tmp_path: Path) -> None:
    # The command line pins before numpy loads: a float32 product then rounds as in a process forced to the
    # Haswell kernels (on an AVX-512 machine, OpenBLAS's own choice rounds otherwise).
    code = textwrap.dedent(
        """
        import os, runpy, sys
        sys.argv = ["intents", "--help"]
        try:
            runpy.run_module("intents", run_name="__main__")
        except SystemExit:
            pass
        import numpy as np
        rng = np.random.default_rng(0)
        a, b = rng.normal(size=(300, 384)).astype(np.float32), rng.normal(size=(384, 256)).astype(np.float32)
        np.save(os.environ["OUT"], a @ b)
        print(os.environ.get("OPENBLAS_CORETYPE"))
        """
    )
    inherited = {k: v for k, v in os.environ.items() if k != blas.VARIABLE}
    products = []
    for name, forced in (("command", {}), ("forced", {blas.VARIABLE: blas.KERNELS})):
        out = tmp_path / f"{name}.npy"
        env = {**inherited, **forced, "OUT": str(out)}
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env)
        assert done.returncode == 0, done.stderr
        assert done.stdout.splitlines()[-1] == blas.KERNELS
        products.append(np.load(out))
    assert np.array_equal(products[0], products[1])
