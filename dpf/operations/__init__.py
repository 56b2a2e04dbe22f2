"""Running the service: backups and the service unit."""
