"""Load benchmarks of the service against a pgbench baseline; see README.md."""
