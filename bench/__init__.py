"""Benchmarks for the real-time path: `make bench` runs `python -m bench.run`.

The orchestrator (`bench.run`) never imports Django: every system under test,
every sender and every client runs in a process of its own, so server CPU
time read from /proc belongs to the server alone.
"""
