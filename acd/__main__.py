"""`python -m acd` and the `acd` command.

The collector is off from the first import: start-up makes what lives as long as the process,
and collections walking it as it grows were a third of an `acd run`'s start (bench/restart.py).
`acd run` turns it on when the daemon is up (acd/garbage.py's settle), every other verb at once.
"""

import gc
import sys


def main() -> int:
    gc.disable()
    from acd.cli import main as verb

    return verb()


if __name__ == "__main__":
    sys.exit(main())
