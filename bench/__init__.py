"""The benchmark (`make bench`, `python -m bench`): prints figures and writes docs/benchmarks.md; outside `dpf`."""
