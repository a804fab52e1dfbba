"""``python -m volscreen``: the same as the ``volscreen`` command."""
from __future__ import annotations

from .cli import main

if __name__ == "__main__":  # pragma: no cover
    main()
