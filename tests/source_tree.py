"""ast.parse for the tests that read the project's own source.

CPython 3.11 keeps ast's recursion bookkeeping per interpreter, not per thread: a parse that
runs while another thread compiles source (an import on a daemon's writer thread left by an
earlier test) now and then fails with "SystemError: AST constructor recursion depth mismatch"
(fixed in later CPython releases). The source is fine; parsing it again gives the tree.
"""

from __future__ import annotations

import ast

TRIES = 5


def parse_source(source: str, filename: str = "<unknown>") -> ast.Module:
    for attempt in range(TRIES):
        try:
            return ast.parse(source, filename)
        except SystemError:
            if attempt == TRIES - 1:
                raise
    raise AssertionError("unreachable")
