#!/usr/bin/env bash
# Disk-tier benchmark (issue 15): does the disk tier, on by default now, tax a cold read, and what
# does persisted metadata buy at a restart? One loopback nginx, one run, fresh mounts:
#   seq      cold sequential read of a 1 GiB file (dd bs=1M), MiB/s
#   random   2,000 random 4 KiB preads of a 1 GiB file, median and p99 (us); then, on the same
#            (now warm) daemon, 2,000 more of a second file it has not read (JIT compiled)
#   find     find + stat of 10,000 files in 100 directories, seconds
# each with a fresh, empty disk tier ("disk": the default's code path, in a directory of this run
# instead of /var/cache/mirrorfs) against --no-cache-dir ("ram"), interleaved, median of RUNS; then
#   restart  launch to the first `ls`, and launch to the end of a full find + stat walk: with an
#            empty disk tier (cold) against the tier the previous mount left (persisted, servers
#            up, within the TTL), as persisted / cold ratios.
# Usage: integration-tests/bench/disk-tier-bench.sh [JAR]   (build the jar with
#   mvn -pl packaging -am package -DskipTests); DISK_TIER_DATA=DIR keeps the data; RUNS=N (3).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
jar=${1:-$here/packaging/target/mirrorfs.jar}
[ -f "$jar" ] || { echo "no jar at $jar: build it first (mvn -pl packaging -am package -DskipTests)" >&2; exit 1; }
runs=${RUNS:-3}
work=$(mktemp -d /tmp/mirrorfs-disk-tier.XXXXXX)
chmod 755 "$work"
data=${DISK_TIER_DATA:-$work/data}
mnt=$work/mnt; mkdir -p "$mnt" "$data"
nginx_pid=; BENCH_PID=
cleanup() {
  if mountpoint -q "$mnt" 2>/dev/null; then fusermount -u "$mnt" 2>/dev/null || umount -l "$mnt" || true; fi
  [ -n "$BENCH_PID" ] && kill "$BENCH_PID" 2>/dev/null || true
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null || true
  sleep 0.5; rm -rf "$work"
}
trap cleanup EXIT

if [ ! -f "$data/ready" ]; then
  echo "generating data in $data ..." >&2
  head -c $((1 << 30)) /dev/urandom > "$data/big.bin"
  head -c $((1 << 30)) /dev/urandom > "$data/second.bin"
  python3 - "$data" <<'PY'
import os, sys
for d in range(100):
    p = os.path.join(sys.argv[1], "tree", "d%03d" % d)
    os.makedirs(p, exist_ok=True)
    for f in range(100):
        with open(os.path.join(p, "f%03d" % f), "wb") as out:
            out.write(os.urandom(100 + f))
PY
  touch "$data/ready"
fi
chmod -R a+rX "$data"
bench_nginx "$work" "$data"
nginx_pid=$BENCH_NGINX_PID
url=$BENCH_NGINX_URL/

cache_args() { # VARIANT RUN : the disk-tier choice of one mount
  if [ "$1" = disk ]; then echo "--cache-dir $work/cache-$2"; else echo "--no-cache-dir"; fi
}
mount_fresh() { # VARIANT RUN
  # shellcheck disable=SC2046
  bench_start_jar "$jar" "$mnt" "$work/mount.log" --source "/web=$url" $(cache_args "$1" "$2")
}
secs() { date +%s.%N; }
elapsed() { echo "$1 $(secs)" | awk '{printf "%.3f", $2 - $1}'; }

declare -A seq rnd_med rnd_p99 rnd_warm walk
for run in $(seq 1 "$runs"); do
  for v in disk ram; do
    bench_drop_caches
    mount_fresh "$v" "seq-$run"
    t=$(bench_seconds dd if="$mnt/web/big.bin" of=/dev/null bs=1M)
    seq[$v]+="$(bench_mibps $((1 << 30)) "$t") "
    bench_unmount "$mnt"

    bench_drop_caches
    mount_fresh "$v" "rnd-$run"
    read -r med p99 _ < <(python3 "$here/integration-tests/bench/cache-random.py" "$mnt/web/big.bin" 2000 "$run")
    rnd_med[$v]+="$med "; rnd_p99[$v]+="$p99 "
    read -r med _ < <(python3 "$here/integration-tests/bench/cache-random.py" "$mnt/web/second.bin" 2000 "$run")
    rnd_warm[$v]+="$med "
    bench_unmount "$mnt"

    mount_fresh "$v" "find-$run"
    walk[$v]+="$(bench_seconds find "$mnt/web/tree" -printf '%s %T@\n') "
    bench_unmount "$mnt"
  done
done

declare -A first full
for run in $(seq 1 "$runs"); do
  for state in cold persisted; do
    c=$work/cache-restart-$run
    [ "$state" = cold ] && rm -rf "$c"
    t0=$(secs)
    bench_start_jar "$jar" "$mnt" "$work/mount.log" --source "/web=$url" --cache-dir "$c"
    ls "$mnt/web/tree" > /dev/null
    first[$state]+="$(elapsed "$t0") "
    find "$mnt/web/tree" -printf '%s %T@\n' > /dev/null
    full[$state]+="$(elapsed "$t0") "
    bench_unmount "$mnt"
  done
done

m() { bench_median $1; }
# shellcheck disable=SC2086
{
  echo "workload                      disk tier   --no-cache-dir   disk/ram"
  printf "cold sequential 1 GiB (MiB/s) %9s   %14s   %8s\n" "$(m "${seq[disk]}")" "$(m "${seq[ram]}")" "$(bench_ratio "$(m "${seq[disk]}")" "$(m "${seq[ram]}")")"
  printf "cold random 4K median (us)    %9s   %14s   %8s\n" "$(m "${rnd_med[disk]}")" "$(m "${rnd_med[ram]}")" "$(bench_ratio "$(m "${rnd_med[disk]}")" "$(m "${rnd_med[ram]}")")"
  printf "cold random 4K p99 (us)       %9s   %14s   %8s\n" "$(m "${rnd_p99[disk]}")" "$(m "${rnd_p99[ram]}")" "$(bench_ratio "$(m "${rnd_p99[disk]}")" "$(m "${rnd_p99[ram]}")")"
  printf "random 4K warm daemon (us)    %9s   %14s   %8s\n" "$(m "${rnd_warm[disk]}")" "$(m "${rnd_warm[ram]}")" "$(bench_ratio "$(m "${rnd_warm[disk]}")" "$(m "${rnd_warm[ram]}")")"
  printf "find + stat 10,000 files (s)  %9s   %14s   %8s\n" "$(m "${walk[disk]}")" "$(m "${walk[ram]}")" "$(bench_ratio "$(m "${walk[disk]}")" "$(m "${walk[ram]}")")"
  echo
  echo "restart (launch to ...)       cold        persisted        persisted/cold"
  printf "first ls (s)                  %9s   %14s   %8s\n" "$(m "${first[cold]}")" "$(m "${first[persisted]}")" "$(bench_ratio "$(m "${first[persisted]}")" "$(m "${first[cold]}")")"
  printf "full walk, 10,000 files (s)   %9s   %14s   %8s\n" "$(m "${full[cold]}")" "$(m "${full[persisted]}")" "$(bench_ratio "$(m "${full[persisted]}")" "$(m "${full[cold]}")")"
  echo "runs: $runs; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
}
