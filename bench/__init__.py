"""The gateway benchmark: the read and write shapes under load, next to a hand-written "floor".

`python -m bench.run` starts the stores, seeds them, serves the gateway and the floor
(`bench.floor`) side by side and loads both with wrk; `bench.report` writes docs/benchmarks.md.
"""
