#!/usr/bin/env python3
"""Times N random 4 KiB preads of FILE (offsets from SEED) and prints 'median_us p99_us bytes'.
With --http URL it times HTTP range requests on one keep-alive connection instead (the curl-like baseline)."""
import http.client, os, random, sys, time, urllib.parse

def offsets(size, n, seed):
    r = random.Random(seed)
    return [r.randrange(0, size // 4096) * 4096 for _ in range(n)]

def report(times, total):
    times.sort()
    print("%.0f %.0f %d" % (times[len(times) // 2] * 1e6, times[int(len(times) * 0.99)] * 1e6, total))

def main():
    args = sys.argv[1:]
    if args[0] == "--http":
        url, size, n, seed = urllib.parse.urlparse(args[1]), int(args[2]), int(args[3]), int(args[4])
        conn = http.client.HTTPConnection(url.hostname, url.port)
        times, total = [], 0
        for off in offsets(size, n, seed):
            t0 = time.perf_counter()
            conn.request("GET", url.path, headers={"Range": "bytes=%d-%d" % (off, off + 4095)})
            body = conn.getresponse().read()
            times.append(time.perf_counter() - t0)
            total += len(body)
        report(times, total)
        return
    path, n, seed = args[0], int(args[1]), int(args[2])
    fd = os.open(path, os.O_RDONLY)
    size = os.fstat(fd).st_size
    times, total = [], 0
    for off in offsets(size, n, seed):
        t0 = time.perf_counter()
        total += len(os.pread(fd, 4096, off))
        times.append(time.perf_counter() - t0)
    os.close(fd)
    report(times, total)

main()
