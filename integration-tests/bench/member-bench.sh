#!/usr/bin/env bash
# Compressed member benchmark (#22): one member of each ratio (1:1 random, ~11:1 log text,
# ~1000:1 zeros) in a zip, a tar.gz, and as single .xz and .zst files, served by a loopback nginx
# and read through the kernel on a warm daemon, against the tool on the local file in the same
# run, interleaved, median of RUNS:
#   1. sequential: `cat MNT/m.zip#/M` vs `unzip -p m.zip M`, `MNT/m.tar.gz#/M` vs `tar -xzOf`,
#      `MNT/M.xz#/M` vs `xz -dc M.xz`, `MNT/M.zst#/M` vs `zstd -dc M.zst` (all to /dev/null);
#      the member's pages are dropped from the page cache (fadvise) before every read;
#   2. random: 200 random 4 KiB reads into the 512 MiB member of zeros (zip and tar.gz) and into
#      the log (zip), page cache dropped before each, median latency by decile of the offset
#      (flat = random access bounded by decompressed distance, not the offset).
# Prints the decoder counters of /.mirrorfs/stats at the end.
# Usage: integration-tests/bench/member-bench.sh [JAR]   (MEMBER_BENCH_DATA=DIR keeps the data; RUNS=3)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
jar=${1:-$MIRRORFS_JAR}
[ -f "$jar" ] || { echo "no jar at $jar: build it first (mvn -pl packaging -am package -DskipTests)" >&2; exit 1; }
runs=${RUNS:-3}
work=$(mktemp -d /tmp/mirrorfs-member-bench.XXXXXX)
chmod 755 "$work"
data=${MEMBER_BENCH_DATA:-$work/data}
mnt=$work/mnt; mkdir -p "$mnt" "$data"
nginx_pid=; mirror_pid=
cleanup() {
  if mountpoint -q "$mnt" 2>/dev/null; then fusermount -u "$mnt" 2>/dev/null || umount -l "$mnt" || true; fi
  [ -n "$mirror_pid" ] && kill "$mirror_pid" 2>/dev/null || true
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null || true
  sleep 0.5; rm -rf "$work"
}
trap cleanup EXIT

members="rand.bin log.txt zeros.bin"
if [ ! -f "$data/m.zip" ]; then
  echo "generating 64 MiB random, 128 MiB of log text, 512 MiB of zeros and their archives in $data ..." >&2
  head -c $((64 << 20)) /dev/urandom > "$data/rand.bin"
  python3 - "$data/log.txt" $((128 << 20)) <<'PY'
import random, sys
r = random.Random(7)
levels = ["INFO", "INFO", "INFO", "WARN", "DEBUG"]
paths = ["/api/v1/items", "/api/v1/users", "/login", "/static/app.js", "/health"]
n, t, size, out = 0, 0, int(sys.argv[2]), []
while n < size:
    t += r.randrange(3)
    line = "2026-12-07T%02d:%02d:%02d %s GET %s status=%s latency=%dms\n" % (t // 3600 % 24, t // 60 % 60, t % 60,
        r.choice(levels), r.choice(paths), "200" if r.random() < 0.95 else "404", r.randrange(100))
    out.append(line); n += len(line)
open(sys.argv[1], "w").write("".join(out)[:size])
PY
  head -c $((512 << 20)) /dev/zero > "$data/zeros.bin"
  (cd "$data" && zip -q -0 m.zip rand.bin && zip -q -6 m.zip log.txt zeros.bin && tar -czf m.tar.gz $members)
  for m in $members; do
    xz -T1 -1 -c "$data/$m" > "$data/$m.xz"   # one block, as xz 5.4 writes by default; -1: the level hardly matters to a decoder, -6 took 20 min on a busy machine
    zstd -q -3 -c "$data/$m" > "$data/$m.zst" # one frame, zstd's default
  done
  rm -f "$data/rand.bin" "$data/log.txt" "$data/zeros.bin"
fi
chmod -R a+rX "$data"
cat "$data"/* > /dev/null # server side warm

bench_nginx "$work" "$data"
nginx_pid=$BENCH_NGINX_PID
bench_start_jar "$jar" "$mnt" "$work/mirror.log" --source "/=$BENCH_NGINX_URL/" --cache-dir "$work/cache" || exit 1
mirror_pid=$BENCH_PID

drop() { dd if="$1" iflag=nocache count=0 status=none; }
seconds() { local t0 t1; t0=$(date +%s.%N); "$@" > /dev/null; t1=$(date +%s.%N); echo "$t0 $t1" | awk '{printf "%.3f", $2 - $1}'; }
mount_read() { drop "$1"; seconds cat "$1"; }

echo "opening the archives and warming the daemon (one read of each member) ..." >&2
ls "$mnt/m.zip#/" "$mnt/m.tar.gz#/" > /dev/null
for m in $members; do
  ls "$mnt/$m.xz#/" "$mnt/$m.zst#/" > /dev/null
  for p in "m.zip#/$m" "m.tar.gz#/$m" "$m.xz#/$m" "$m.zst#/$m"; do cat "$mnt/$p" > /dev/null; done
done

printf '\nsequential member reads, median of %d (MB/s; ratio = tool time / mirrorfs time, >= 0.8 is the target)\n' "$runs"
printf '%-10s %-7s %10s %10s %10s %8s\n' member format mirrorfs tool "tool cmd" ratio
for m in $members; do
  size=$(stat -c %s "$mnt/m.zip#/$m")
  for fmt in zip tar.gz xz zst; do
    case $fmt in
      zip) path="m.zip#/$m"; tool=(unzip -p "$data/m.zip" "$m"); label="unzip -p" ;;
      tar.gz) path="m.tar.gz#/$m"; tool=(tar -xzOf "$data/m.tar.gz" "$m"); label="tar -xzOf" ;;
      xz) path="$m.xz#/$m"; tool=(xz -dc "$data/$m.xz"); label="xz -dc" ;;
      zst) path="$m.zst#/$m"; tool=(zstd -dc "$data/$m.zst"); label="zstd -dc" ;;
    esac
    ours=(); theirs=()
    for _ in $(seq "$runs"); do
      ours+=("$(mount_read "$mnt/$path")")
      theirs+=("$(seconds "${tool[@]}")")
    done
    o=$(bench_median "${ours[@]}"); t=$(bench_median "${theirs[@]}")
    printf '%-10s %-7s %10s %10s %10s %8s\n' "$m" "$fmt" "$(bench_mibps "$size" "$o")" "$(bench_mibps "$size" "$t")" "$label" \
      "$(bench_ratio "$t" "$o")"
  done
done

random_by_decile() {
  python3 - "$1" <<'PY'
import os, random, statistics, sys, time
path = sys.argv[1]
fd = os.open(path, os.O_RDONLY)
size = os.fstat(fd).st_size
r = random.Random(42)
by = [[] for _ in range(10)]
for _ in range(200):
    at = r.randrange(0, size - 4096) // 4096 * 4096
    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)  # a read from the page cache would measure nothing
    t0 = time.perf_counter()
    os.pread(fd, 4096, at)
    by[at * 10 // size].append((time.perf_counter() - t0) * 1e6)
print(" ".join("%6.0f" % statistics.median(d) if d else "     -" for d in by))
PY
}
printf '\n200 random 4 KiB reads, median latency (us) by decile of the offset\n'
printf '%-22s %s\n' member "   d1     d2     d3     d4     d5     d6     d7     d8     d9    d10"
for p in "m.zip#/zeros.bin" "m.tar.gz#/zeros.bin" "m.zip#/log.txt" "m.tar.gz#/log.txt"; do
  printf '%-22s %s\n' "$p" "$(random_by_decile "$mnt/$p")"
done

printf '\n'
grep archive_ "$mnt/.mirrorfs/stats"
