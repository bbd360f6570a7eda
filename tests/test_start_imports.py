"""What a daemon's start imports: the planning's numpy and scipy (a second of imports) and the
reports' matplotlib are asked for by the pages and verbs that use them, never by `acd run`, so a
restart after a crash is not slower for them (and the desk's stream reconnects sooner)."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("numpy", "scipy", "matplotlib")


def test_the_composition_root_imports_no_numpy_scipy_or_matplotlib():
    code = f"import sys, acd.service; print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
