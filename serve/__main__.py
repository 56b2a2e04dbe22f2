"""`python -m serve [--procs 2] [--host NAME] [--port 8443] [--address 127.0.0.1]`: K dashboard processes behind Caddy's HTTPS."""

from __future__ import annotations

import sys

from serve.cluster import main

if __name__ == "__main__":
    sys.exit(main())
