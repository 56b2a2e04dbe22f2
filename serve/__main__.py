"""`python -m serve [--procs 2] [--port 8501] [--address 0.0.0.0]`: K dashboard processes behind Caddy."""

from __future__ import annotations

import sys

from serve.cluster import main

if __name__ == "__main__":
    sys.exit(main())
