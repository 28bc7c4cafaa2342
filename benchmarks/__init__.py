"""Scale benchmarks (not part of the test suite): `python -m benchmarks` runs them all."""
