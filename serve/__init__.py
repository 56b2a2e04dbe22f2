"""Several dashboard processes behind Caddy with sticky sessions (`make serve PROCS=2`, `python -m serve`)."""
