"""Benchmarks of mailstencil: ``python -m benchmarks`` runs the speed ones and writes their table."""
