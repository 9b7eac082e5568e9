#!/usr/bin/env bash
# A fleet on one machine (#17): N mirrorfs daemons (separate mount points and cache directories)
# share one caching tier, the shipped nginx slice-cache recipe (packaging/src/fleet), in front of
# one upstream nginx, and read the same file and walk the same tree at the same time.
# Prints what the upstream sent per byte the fleet read (bytes and requests), and each node's
# throughput against one node alone (the same read through a cold tier and a cold node).
# Every node's checksums are compared with the originals.
# Usage: integration-tests/bench/fleet-bench.sh [NODES] [FILE_MIB] [FILES] [JAR]
#   defaults: 3 nodes, a 256 MiB file, a 10,000-file tree (100 directories), packaging/target/mirrorfs.jar
set -euo pipefail
source "$(dirname "$0")/lib.sh"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
nodes=${1:-3}
file_mib=${2:-256}
files=${3:-10000}
MIRRORFS_JAR=${4:-$here/packaging/target/mirrorfs.jar}
recipe=$here/packaging/src/fleet/nginx-slice-cache.conf
[ -f "$MIRRORFS_JAR" ] || { echo "no jar at $MIRRORFS_JAR: build it first (mvn -pl packaging -am package -DskipTests)" >&2; exit 1; }
work=$(mktemp -d /tmp/mirrorfs-fleet-bench.XXXXXX)
chmod 755 "$work"
data=$work/data; mkdir -p "$data"
pids=(); mounts=(); tier_pid=
cleanup() {
  for mp in "${mounts[@]}"; do
    mountpoint -q "$mp" 2>/dev/null && { fusermount -u "$mp" 2>/dev/null || fusermount -u -z "$mp" || true; }
  done
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -n "$tier_pid" ] && kill "$tier_pid" 2>/dev/null || true
  [ -n "${BENCH_NGINX_PID:-}" ] && kill "$BENCH_NGINX_PID" 2>/dev/null || true
  sleep 0.5; rm -rf "$work"
}
trap cleanup EXIT

echo "generating a $file_mib MiB file and $files files in 100 directories..."
head -c $((file_mib << 20)) /dev/urandom > "$data/big.bin"
python3 - "$data/t" "$files" <<'PY'
import os, random, sys
root, n = sys.argv[1], int(sys.argv[2])
r = random.Random(17)
for i in range(n):
    d = os.path.join(root, "d%02d" % (i % 100))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "f%05d" % i), "wb") as f:
        f.write(r.randbytes(512 + r.randrange(3584)))
PY
chmod -R a+rX "$data"
expected=$(cd "$data" && sha256sum big.bin && find t -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum)
read_bytes=$(find "$data" -type f -printf "%s\n" | awk "{s += \$1} END {print s}") # what one node reads: every file once
bench_nginx "$work" "$data"
upstream_log=$work/nginx/access.log

# The tier: the shipped recipe as is, with the port, upstream and cache path of this run.
start_tier() {
  local w=$work/tier port
  rm -rf "$w"; mkdir -p "$w"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  up=${BENCH_NGINX_URL#http://}
  sed -e "s|listen 8080;|listen 127.0.0.1:$port;|" -e "s|upstream.example.org:80|$up|" \
      -e "s|Host upstream.example.org;|Host $up;|" -e "s|/var/cache/nginx/mirrorfs|$w/cache|" "$recipe" > "$w/site.conf"
  cat > "$w/nginx.conf" <<CONF
daemon off; worker_processes 2; pid $w/nginx.pid; error_log $w/error.log warn;
events { worker_connections 1024; }
http {
  default_type application/octet-stream; access_log off;
  client_body_temp_path $w/b; proxy_temp_path $w/p; fastcgi_temp_path $w/f; uwsgi_temp_path $w/u; scgi_temp_path $w/s;
  include $w/site.conf;
}
CONF
  /usr/sbin/nginx -p "$w" -e "$w/error.log" -c "$w/nginx.conf" &
  tier_pid=$!
  TIER_URL="http://127.0.0.1:$port/"
  for _ in $(seq 100); do curl -s -o /dev/null "$TIER_URL" && return 0; sleep 0.1; done
  echo "tier did not start: $(cat "$w/error.log")" >&2; return 1
}
stop_tier() { kill "$tier_pid"; wait "$tier_pid" 2>/dev/null || true; tier_pid=; }

# start_node I : mounts node I on $work/mnt-I through the tier, with its own cache directory.
start_node() {
  local mp=$work/mnt-$1
  mkdir -p "$work/cache-$1"
  bench_mount "$mp" --source "/web=$TIER_URL" --cache-dir "$work/cache-$1"
  pids+=("$BENCH_PID"); mounts+=("$mp")
}
# read_node I : reads everything on node I, prints its seconds; fails on a checksum mismatch.
read_node() {
  local t0 t1 got
  t0=$(date +%s.%N)
  got=$(cd "$work/mnt-$1/web" && sha256sum big.bin && find t -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum)
  t1=$(date +%s.%N)
  [ "$got" = "$expected" ] || { echo "node $1: checksums differ" >&2; return 1; }
  echo "$t0 $t1" | awk '{printf "%.3f", $2 - $1}'
}
stop_nodes() {
  for mp in "${mounts[@]}"; do bench_fusermount "$mp" || fusermount -u -z "$mp" || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  pids=(); mounts=()
}
upstream_counts() { awk '{n++; b += $NF} END {print n + 0, b + 0}' "$upstream_log"; }

# One node alone: cold tier, cold node.
start_tier
start_node 0
alone=$(read_node 0)
stop_nodes; stop_tier; rm -rf "$work"/cache-0

# The fleet: cold tier, N cold nodes reading at the same time.
start_tier
for i in $(seq 1 "$nodes"); do start_node "$i"; done
read -r req0 bytes0 < <(upstream_counts)
for i in $(seq 1 "$nodes"); do read_node "$i" > "$work/time-$i" & done
wait_fail=0
for job in $(jobs -p); do
  [ "$job" = "$tier_pid" ] || [ "$job" = "$BENCH_NGINX_PID" ] || [[ " ${pids[*]} " == *" $job "* ]] || wait "$job" || wait_fail=1
done
[ "$wait_fail" = 0 ] || { echo "a node failed" >&2; exit 1; }
sleep 0.5 # nginx logs a request after sending it
read -r req1 bytes1 < <(upstream_counts)
fleet_bytes=$((nodes * read_bytes))
up_bytes=$((bytes1 - bytes0)); up_req=$((req1 - req0))

printf 'fleet of %d nodes, %d MiB file + %d files (%d bytes per node)\n' "$nodes" "$file_mib" "$files" "$read_bytes"
printf 'upstream: %d bytes, %d requests; per byte the fleet read: %.4f bytes, %.3g requests (%.2fx one copy)\n' \
  "$up_bytes" "$up_req" "$(echo "$up_bytes $fleet_bytes" | awk '{print $1/$2}')" \
  "$(echo "$up_req $fleet_bytes" | awk '{print $1/$2}')" "$(echo "$up_bytes $read_bytes" | awk '{print $1/$2}')"
printf 'one node alone: %s s, %s MiB/s\n' "$alone" "$(bench_mibps "$read_bytes" "$alone")"
for i in $(seq 1 "$nodes"); do
  t=$(cat "$work/time-$i")
  printf 'node %d in the fleet: %s s, %s MiB/s, %sx one node alone\n' "$i" "$t" "$(bench_mibps "$read_bytes" "$t")" \
    "$(bench_ratio "$alone" "$t")"
done
stop_nodes
