"""Where the plain-Python oracle baseline comes from: ``tests/oracle.py``, the one the tests hold
the engine to. Families import it from here (``from baselines import oracle``), so every entry
point (``run.py``, a ``workers.py`` process) finds it without setting a path of its own.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parent.parent / "tests"))

import oracle

__all__ = ["oracle"]
