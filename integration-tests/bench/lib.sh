# Shared helpers for the benchmark scripts (source it). Each script measures mirrorfs against a
# baseline in the same run and prints ratios; nothing here asserts timings.

bench_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
MIRRORFS_JAR=${MIRRORFS_JAR:-$bench_root/packaging/target/mirrorfs.jar}
# The same heap bound as the launchers: mirrorfs_jvm_options ARGS...
. "$bench_root/packaging/src/main/sh/jvm-options.sh"

# Builds the jar if it is missing (the launcher also rebuilds when sources are newer).
bench_need_jar() {
  if [ ! -f "$MIRRORFS_JAR" ]; then
    (cd "$bench_root" && mvn -B -q -DskipTests -pl packaging -am install) >&2
  fi
}

# Drops the page cache so the next read is cold (needs root; says so if it cannot).
bench_drop_caches() {
  sync
  echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || echo "(could not drop the page cache: cold figures are warm)" >&2
}

# bench_mount MOUNTPOINT ARGS... : starts mirrorfs in the background, waits for its ready line.
# Sets BENCH_PID; the log goes to $MOUNTPOINT.log.
bench_mount() {
  local mp=$1; shift
  mkdir -p "$mp"
  LC_ALL=C.UTF-8 java $(mirrorfs_jvm_options "$@") ${MIRRORFS_JAVA_OPTS:-} -Dfile.encoding=UTF-8 -jar "$MIRRORFS_JAR" mount "$mp" "$@" \
    > "$mp.out" 2> "$mp.log" &
  BENCH_PID=$!
  for _ in $(seq 1 300); do
    grep -q 'mirrorfs: .*mounted' "$mp.out" 2>/dev/null && return 0
    kill -0 "$BENCH_PID" 2>/dev/null || { cat "$mp.log" >&2; return 1; }
    sleep 0.1
  done
  echo "mirrorfs did not mount $mp" >&2; cat "$mp.log" >&2; return 1
}

# bench_unmount MOUNTPOINT : unmounts and waits for the daemon to exit.
bench_unmount() {
  fusermount -u "$1" 2>/dev/null || fusermount -u -z "$1" 2>/dev/null || true
  wait "$BENCH_PID" 2>/dev/null || true
}

# bench_seconds CMD... : runs CMD, prints the elapsed wall time in seconds (3 decimals).
bench_seconds() {
  local t0 t1
  t0=$(date +%s.%N)
  "$@" >/dev/null
  t1=$(date +%s.%N)
  echo "$t0 $t1" | awk '{printf "%.3f", $2 - $1}'
}

# bench_ratio A B : prints A/B with 2 decimals.
bench_ratio() {
  echo "$1 $2" | awk '{ if ($2 == 0) print "n/a"; else printf "%.2f", $1 / $2 }'
}

# bench_mibps BYTES SECONDS : prints throughput in MiB/s.
bench_mibps() {
  echo "$1 $2" | awk '{ if ($2 == 0) print "inf"; else printf "%.0f", $1 / 1048576 / $2 }'
}
