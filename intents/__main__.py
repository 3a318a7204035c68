"""Run the intent engine's command line (`python -m intents match --locale L`)."""

import sys

from intents.cli import main

if __name__ == "__main__":
    sys.exit(main())
