"""Run the intent engine's command line (`python -m intents match --locale L`)."""

import sys

from intents.blas import pin

pin()  # before numpy loads: `train` and `cv` give the same weights on every x86-64 machine (intents/blas.py)

from intents.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
