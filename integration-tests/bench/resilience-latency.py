#!/usr/bin/env python3
"""Cold read latency of a mirrored file: N preads of SIZE bytes at offsets never read before.

usage: resilience-latency.py FILE FIRST_MIB COUNT [SIZE]
Reads at FIRST_MIB, FIRST_MIB+1, ... MiB (one read per MiB, so every read misses every cache),
prints "p50_ms p99_ms max_ms errors". Used by resilience.sh to show how a healthy source
behaves while another source is failing.
"""
import os
import sys
import time

path, first, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
size = int(sys.argv[4]) if len(sys.argv) > 4 else 128 * 1024
fd = os.open(path, os.O_RDONLY)
times, errors = [], 0
try:
    for i in range(count):
        t0 = time.monotonic()
        try:
            os.pread(fd, size, (first + i) << 20)
        except OSError:
            errors += 1
        times.append((time.monotonic() - t0) * 1000)
finally:
    os.close(fd)
times.sort()
def pct(p):
    return times[min(len(times) - 1, int(round(p / 100 * (len(times) - 1))))]
print(f"{pct(50):.2f} {pct(99):.2f} {times[-1]:.2f} {errors}")
