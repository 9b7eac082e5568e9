#!/usr/bin/env bash
# The cache against one nginx on 127.0.0.1, all in one run, reported as ratios to same-run baselines:
#  1. warm re-read of a SIZE_MIB file through the mount vs reading a local copy (page cache);
#  2. 2,000 random 4 KiB reads, cold (fresh mount) and warm (same offsets again): median and p99,
#     vs HTTP range requests on one keep-alive connection; upstream bytes per byte read;
#  3. find + stat of a 10,000-file tree (100 dirs x 100 files), cold and warm; upstream requests.
# Upstream requests and bytes come from nginx's access log.
# The daemon's JIT is warmed on a copy of the tree first: cold means a cold cache, not a cold JVM.
# Usage: integration-tests/bench/cache-bench.sh [SIZE_MIB]   (default 1024; run as root)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
size_mib=${1:-1024}
work=$(mktemp -d /tmp/mirrorfs-cache-bench-XXXXXX)
mp="$work/mnt"
nginx_pid=""
cleanup() {
  bench_unmount "$mp" 2>/dev/null || true
  if [ -n "$nginx_pid" ]; then kill "$nginx_pid" 2>/dev/null || true; wait "$nginx_pid" 2>/dev/null || true; fi  # set -e: a failure here would skip the rm below
  rm -rf "$work"
}
trap cleanup EXIT

bench_need_jar
mkdir -p "$work/docs/tree" "$work/nginx"
bench_prefault_memory # first: see lib.sh
head -c $((size_mib * 1048576)) /dev/urandom > "$work/docs/big.bin"
cp "$work/docs/big.bin" "$work/local-copy.bin"
sync # the data just written would otherwise be written back to disk during the measurements
for d in $(seq -w 0 99); do
  mkdir -p "$work/docs/tree/d$d"
  for f in $(seq -w 0 99); do printf 'file %s/%s\n' "$d" "$f" > "$work/docs/tree/d$d/f$f.txt"; done
done
cp -r "$work/docs/tree" "$work/docs/warmup"   # warms the daemon's JIT, so "cold" means a cold cache
chmod -R a+rX "$work"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat > "$work/nginx/nginx.conf" <<CONF
daemon off; worker_processes 1; pid $work/nginx/nginx.pid; error_log $work/nginx/error.log;
events {}
http { access_log $work/nginx/access.log; sendfile on; keepalive_requests 100000;
  server { listen 127.0.0.1:$port; root $work/docs; autoindex on; autoindex_exact_size on; } }
CONF
nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" & nginx_pid=$!
sleep 0.5
url="http://127.0.0.1:$port/"
log="$work/nginx/access.log"
# upstream_since LINE : prints "requests bytes" logged after line LINE of the access log.
upstream_since() { tail -n +$(($1 + 1)) "$log" | awk '{n++; b += $10} END {printf "%d %d", n, b}'; }
log_lines() { wc -l < "$log"; }
read_file() { dd if="$1" of=/dev/null bs=1M status=none; }
bytes=$((size_mib * 1048576))

# 1. warm re-read vs local copy
read_file "$work/local-copy.bin"; local_warm=$(bench_seconds read_file "$work/local-copy.bin")
bench_mount "$mp" --source "/=$url"
mark=$(log_lines); mnt_cold=$(bench_seconds read_file "$mp/big.bin"); read -r cold_req cold_bytes <<< "$(upstream_since "$mark")"
mark=$(log_lines); mnt_warm=$(bench_seconds read_file "$mp/big.bin"); read -r warm_req warm_bytes <<< "$(upstream_since "$mark")"
cmp "$work/docs/big.bin" "$mp/big.bin"
curl_cold=$(bench_seconds curl -s -o /dev/null "${url}big.bin")
bench_unmount "$mp"

# 2. random 4 KiB reads
read -r base_med base_p99 _ <<< "$(python3 "$here/cache-random.py" --http "${url}big.bin" "$bytes" 2000 42)"
bench_mount "$mp" --source "/=$url"
mark=$(log_lines); read -r rc_med rc_p99 rc_bytes <<< "$(python3 "$here/cache-random.py" "$mp/big.bin" 2000 42)"
read -r rnd_cold_req rnd_cold_up <<< "$(upstream_since "$mark")"
mark=$(log_lines); read -r rw_med rw_p99 _ <<< "$(python3 "$here/cache-random.py" "$mp/big.bin" 2000 42)"
read -r rnd_warm_req rnd_warm_up <<< "$(upstream_since "$mark")"
stats_random=$(cat "$mp/.mirrorfs/stats")
bench_unmount "$mp"

# 3. find + stat of 10,000 files
find_stat() { find "$1" -type f -printf '%s %T@\n' | wc -l; }
local_find=$(bench_seconds find_stat "$work/docs/tree")
bench_mount "$mp" --source "/=$url"
find_stat "$mp/warmup" >/dev/null
mark=$(log_lines); find_cold=$(bench_seconds find_stat "$mp/tree"); read -r find_cold_req _ <<< "$(upstream_since "$mark")"
mark=$(log_lines); find_warm=$(bench_seconds find_stat "$mp/tree"); read -r find_warm_req _ <<< "$(upstream_since "$mark")"
[ "$(find_stat "$mp/tree")" = 10000 ] || { echo "find saw the wrong number of files" >&2; exit 1; }
bench_unmount "$mp"

echo "mirrorfs cache benchmark, nginx on 127.0.0.1, one run ($(nproc) cores)"
printf '\n1. %d MiB file\n' "$size_mib"
printf '   curl cold                 %6s MiB/s\n' "$(bench_mibps $bytes $curl_cold)"
printf '   mount cold                %6s MiB/s  (%.2fx curl)  upstream: %d requests, %d bytes\n' \
  "$(bench_mibps $bytes $mnt_cold)" "$(bench_ratio $curl_cold $mnt_cold)" "$cold_req" "$cold_bytes"
printf '   local copy, warm          %6s MiB/s\n' "$(bench_mibps $bytes $local_warm)"
printf '   mount warm re-read        %6s MiB/s  (%.2fx local)  upstream: %d requests, %d bytes\n' \
  "$(bench_mibps $bytes $mnt_warm)" "$(bench_ratio $local_warm $mnt_warm)" "$warm_req" "$warm_bytes"
printf '\n2. 2,000 random 4 KiB reads of the same file (median / p99, microseconds)\n'
printf '   HTTP range requests, keep-alive   %6s / %6s\n' "$base_med" "$base_p99"
printf '   mount cold                        %6s / %6s  (median %.2fx baseline)  upstream: %d requests, %d bytes = %.1fx the %d bytes read\n' \
  "$rc_med" "$rc_p99" "$(bench_ratio $rc_med $base_med)" "$rnd_cold_req" "$rnd_cold_up" "$(bench_ratio $rnd_cold_up $rc_bytes)" "$rc_bytes"
printf '   mount warm                        %6s / %6s  upstream: %d requests, %d bytes\n' "$rw_med" "$rw_p99" "$rnd_warm_req" "$rnd_warm_up"
printf '\n3. find + stat of 10,000 files in 100 directories\n'
printf '   local                     %6s s\n' "$local_find"
printf '   mount cold                %6s s  upstream: %d requests\n' "$find_cold" "$find_cold_req"
printf '   mount warm                %6s s  upstream: %d requests\n' "$find_warm" "$find_warm_req"
printf '\ncache stats after the random reads:\n%s\n' "$stats_random"
