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

# bench_prefault_memory : allocates (nearly) all free memory once, up to 16 GiB, then frees it.
# Only free memory: the page cache (a benchmark's data) is not pushed out. Call it first.
# Why: a VM such as this one (Firecracker) may back guest memory lazily, so the first write to a
# page the guest never used costs a fault in the host. Measured here: the third 1 GiB file read
# through one mount ran at 520-620 MiB/s instead of about 1,200, with 59% of the daemon's CPU in
# the kernel's copy into fresh page-cache pages, until 16 GiB had been touched once; after that it
# ran at 1,204-1,218. A FUSE mount fills the page cache and curl to /dev/null does not, so without
# this a benchmark compares one side paying for the host's memory with one that does not. A
# machine that has been up for a while has touched its memory already.
bench_prefault_memory() {
  python3 - <<'PY'
import mmap
free_kib = next(int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemFree:"))
size = max(0, min(free_kib * 1024 - (1 << 30), 16 << 30)) // 4096 * 4096
if size:  # MAP_POPULATE: the kernel allocates every page at once (13 s for 16 GiB here), no fault per page
    mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS | mmap.MAP_POPULATE).close()
PY
}

# bench_mount MOUNTPOINT ARGS... : starts mirrorfs in the background, waits for its ready line.
# Sets BENCH_PID; the log goes to $MOUNTPOINT.log.
bench_mount() {
  local mp=$1; shift
  mkdir -p "$mp"
  : > "$mp.out" # see bench_start_jar: a second mount must not find the first one's ready line
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

# bench_fusermount MOUNTPOINT : unmounts, retrying for 2 s while the kernel still reports the
# mount busy (a reader's last release can reach the daemon a moment after the reader exited).
bench_fusermount() {
  for _ in $(seq 20); do fusermount -u "$1" 2>/dev/null && return 0; sleep 0.1; done
  fusermount -u "$1"
}

# bench_unmount MOUNTPOINT : unmounts and waits for the daemon to exit.
bench_unmount() {
  bench_fusermount "$1" || fusermount -u -z "$1" 2>/dev/null || true
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

# bench_median V... : prints the median of the values (the lower middle one for an even count).
bench_median() {
  printf '%s\n' "$@" | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'
}

# bench_mibps BYTES SECONDS : prints throughput in MiB/s.
bench_mibps() {
  echo "$1 $2" | awk '{ if ($2 == 0) print "inf"; else printf "%.0f", $1 / 1048576 / $2 }'
}

# bench_random_us FILE [COUNT] [SEED] : prints the median latency, in microseconds with one
# decimal, of COUNT (2,000) random 4 KiB preads (POSIX_FADV_RANDOM, seed SEED, default 2) over the
# whole of FILE, each checked to return 4 KiB. The one random-read measure of every script.
bench_random_us() {
  python3 - "$1" "${2:-2000}" "${3:-2}" <<'PY'
import os, random, sys, time
random.seed(int(sys.argv[3]))
fd = os.open(sys.argv[1], os.O_RDONLY)
os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_RANDOM)
size = os.fstat(fd).st_size
lat = []
for _ in range(int(sys.argv[2])):
    off = random.randrange(0, size - 4096) & ~4095
    t = time.perf_counter(); b = os.pread(fd, 4096, off); lat.append(time.perf_counter() - t)
    assert len(b) == 4096
lat.sort()
print("%.1f" % (lat[len(lat) // 2] * 1e6))
PY
}

# bench_nginx WORKDIR DOCROOT : starts a loopback nginx with autoindex serving DOCROOT, logging
# '"REQUEST" STATUS BYTES' lines to WORKDIR/nginx/access.log. Sets BENCH_NGINX_PID and
# BENCH_NGINX_URL (http://127.0.0.1:PORT, no trailing slash). Stop it with kill "$BENCH_NGINX_PID".
bench_nginx() {
  local w=$1/nginx root=$2 port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  mkdir -p "$w"
  cat > "$w/nginx.conf" <<CONF
daemon off; worker_processes 2; pid $w/nginx.pid; error_log $w/error.log warn;
events { worker_connections 1024; }
http {
  default_type application/octet-stream;
  log_format b '\$remote_addr "\$request" \$status \$body_bytes_sent';
  access_log $w/access.log b;
  client_body_temp_path $w/b; proxy_temp_path $w/p; fastcgi_temp_path $w/f;
  uwsgi_temp_path $w/u; scgi_temp_path $w/s;
  sendfile on; tcp_nopush on; keepalive_requests 1000000;
  server { listen 127.0.0.1:$port; root $root; autoindex on; }
}
CONF
  /usr/sbin/nginx -p "$w" -e "$w/error.log" -c "$w/nginx.conf" &
  BENCH_NGINX_PID=$!
  BENCH_NGINX_URL="http://127.0.0.1:$port"
  for _ in $(seq 100); do curl -s -o /dev/null "$BENCH_NGINX_URL/" && return 0; sleep 0.1; done
  echo "nginx did not start: $(cat "$w/error.log")" >&2; return 1
}

# bench_start_jar JAR MOUNTPOINT LOG ARGS... : starts `mirrorfs mount MOUNTPOINT ARGS...` from JAR
# with the launchers' JVM options and waits for its ready line (printed after the FUSE warm-up;
# mountpoint(1) is true before it). Sets BENCH_PID.
bench_start_jar() {
  local jar=$1 mp=$2 log=$3; shift 3
  # Emptied here, not by the background job's redirection: that may run after the first grep
  # below, which would then find the previous mount's ready line.
  : > "$log"
  # shellcheck disable=SC2046 # the options are a word list on purpose
  java $(mirrorfs_jvm_options "$@") ${MIRRORFS_JAVA_OPTS:-} -Dfile.encoding=UTF-8 -jar "$jar" mount "$mp" "$@" > "$log" 2>&1 &
  BENCH_PID=$!
  for _ in $(seq 600); do
    grep -q '^mirrorfs: mounted' "$log" 2>/dev/null && return 0
    kill -0 "$BENCH_PID" 2>/dev/null || break
    sleep 0.05
  done
  echo "mount failed:" >&2; cat "$log" >&2; return 1
}
