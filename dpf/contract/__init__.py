"""The data contract: catalogue, column types, manifest, the check and the demo set."""
