#!/usr/bin/env bash
# Overhead of --metrics (#18): cold sequential and cold random reads over loopback nginx with the
# metrics endpoint on and off, in one run. Mounts alternate off/on ROUNDS times (default 3) so
# that load from elsewhere on the machine hits both alike; each mount reads a file it has never
# seen (a hard link of the same 1 GiB, still in nginx's page cache): a cold sequential dd, then
# 2,000 random 4 KiB preads (POSIX_FADV_RANDOM) of another new link, median latency. With metrics
# on, /metrics is scraped as the reads start and then every SCRAPE_SECONDS (default 15, the
# interval of Prometheus' example configuration; SCRAPE_SECONDS=1 is a stress case, 15 times
# more scrapes than that).
# Prints the medians over the rounds and the on/off ratios.
# Usage: integration-tests/bench/metrics-bench.sh [JAR]   (ROUNDS=N to change the rounds; SCRAPE_SECONDS=S; MIRRORFS_OPTS adds
#        options to every mount, e.g. --no-cache-dir to leave the disk tier's writes out of the noise)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
jar=${1:-$here/packaging/target/mirrorfs.jar}
rounds=${ROUNDS:-3}
scrape_every=${SCRAPE_SECONDS:-15}
[ -f "$jar" ] || { echo "no jar at $jar: build it first (mvn -pl packaging -am package -DskipTests)" >&2; exit 1; }
work=$(mktemp -d /tmp/mirrorfs-metrics-bench.XXXXXX)
chmod 755 "$work"
mnt=$work/mnt; data=$work/data; mkdir -p "$mnt" "$data"
nginx_pid=; mirror_pid=; scraper_pid=
cleanup() {
  [ -n "$scraper_pid" ] && kill "$scraper_pid" 2>/dev/null || true
  if mountpoint -q "$mnt" 2>/dev/null; then fusermount -u "$mnt" 2>/dev/null || umount -l "$mnt" || true; fi
  [ -n "$mirror_pid" ] && kill "$mirror_pid" 2>/dev/null || true
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null || true
  sleep 0.5; rm -rf "$work"
}
trap cleanup EXIT

bench_prefault_memory
echo "generating data in $data ..." >&2
head -c $((1 << 30)) /dev/urandom > "$data/big.bin"
chmod -R a+rX "$data"
sync
cat "$data/big.bin" > /dev/null
bench_nginx "$work" "$data"
nginx_pid=$BENCH_NGINX_PID
url=$BENCH_NGINX_URL
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
secs() { python3 -c 'import time; print(time.time())'; }

seq_off=(); seq_on=(); rnd_off=(); rnd_on=(); cpu_off=(); cpu_on=()
# The daemon's CPU time (user + system, in clock ticks) so far: steadier than wall time on a
# shared machine, since it does not count waiting for the CPU.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
n=0
for r in $(seq "$rounds"); do
  for mode in off on; do
    n=$((n + 1))
    ln -f "$data/big.bin" "$data/seq$n.bin"; ln -f "$data/big.bin" "$data/rnd$n.bin"
    # shellcheck disable=SC2206 # MIRRORFS_OPTS is a word list (e.g. --no-cache-dir)
    extra=(${MIRRORFS_OPTS:-}); [ "$mode" = on ] && extra+=(--metrics "$port")
    bench_start_jar "$jar" "$mnt" "$work/mirror.log" --source "/=$url/" "${extra[@]}" || exit 1
    mirror_pid=$BENCH_PID
    if [ "$mode" = on ]; then
      ( while :; do curl -s -o /dev/null "http://127.0.0.1:$port/metrics" || true; sleep "$scrape_every"; done ) &
      scraper_pid=$!
    fi
    c0=$(cpu_ticks "$mirror_pid")
    t0=$(secs); dd if="$mnt/seq$n.bin" of=/dev/null bs=1M status=none; t1=$(secs)
    c1=$(cpu_ticks "$mirror_pid")
    bps=$(python3 -c "print((1<<30)/($t1-$t0))")
    us=$(bench_random_us "$mnt/rnd$n.bin")
    if [ "$mode" = on ]; then
      curl -s "http://127.0.0.1:$port/metrics" | grep -E '^mirrorfs_(fuse_operations_total\{op="read"\}|source_requests_total)' >&2 || true
      kill "$scraper_pid" 2>/dev/null || true; wait "$scraper_pid" 2>/dev/null || true; scraper_pid=
      seq_on+=("$bps"); rnd_on+=("$us"); cpu_on+=("$((c1 - c0))")
    else
      seq_off+=("$bps"); rnd_off+=("$us"); cpu_off+=("$((c1 - c0))")
    fi
    echo "round $r metrics $mode: sequential $(python3 -c "print('%.0f' % ($bps/(1<<20)))") MiB/s ($((c1 - c0)) CPU ticks of the daemon), random median $us us" >&2
    bench_fusermount "$mnt"; wait "$mirror_pid" 2>/dev/null || true; mirror_pid=
    rm -f "$data/seq$n.bin" "$data/rnd$n.bin"
  done
done

python3 - <<PY
mib = 1 << 20
med = lambda xs: sorted(xs)[len(xs) // 2]
so, sn = med([${seq_off[*]/%/,}]) / mib, med([${seq_on[*]/%/,}]) / mib
ro, rn = med([${rnd_off[*]/%/,}]), med([${rnd_on[*]/%/,}])
print("--metrics overhead, loopback nginx, same run, medians of $rounds interleaved mounts each, a scrape every ${scrape_every} s")
print(f"cold sequential 1 GiB:  off {so:6.0f} MiB/s   on {sn:6.0f} MiB/s   on/off {sn/so:.3f} (target >= 0.97)")
print(f"2,000 random 4 KiB:     off {ro:6.0f} us      on {rn:6.0f} us      on/off {rn/ro:.3f} (target <= 1.03)")
# Paired: each "on" mount against the "off" mount just before it, which met the same load.
pairs = lambda on, off: med([a / b for a, b in zip(on, off)])
hz = $(getconf CLK_TCK)
co, cn = med([${cpu_off[*]/%/,}]) / hz, med([${cpu_on[*]/%/,}]) / hz
print(f"daemon CPU for the 1 GiB: off {co:6.2f} s        on {cn:6.2f} s        on/off {cn/co:.3f}")
print(f"paired, median of the rounds' on/off ratios: sequential {pairs([${seq_on[*]/%/,}], [${seq_off[*]/%/,}]):.3f}, "
      f"random {pairs([${rnd_on[*]/%/,}], [${rnd_off[*]/%/,}]):.3f}")
print("runs off: seq " + ", ".join("%.0f" % (x / mib) for x in [${seq_off[*]/%/,}]) + " MiB/s; random " + ", ".join("%.0f" % x for x in [${rnd_off[*]/%/,}]) + " us")
print("runs on:  seq " + ", ".join("%.0f" % (x / mib) for x in [${seq_on[*]/%/,}]) + " MiB/s; random " + ", ".join("%.0f" % x for x in [${rnd_on[*]/%/,}]) + " us")
PY
