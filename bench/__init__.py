"""Benchmark: data generator, operations, floor app and load driver (``python -m bench.run``)."""
