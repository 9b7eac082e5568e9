#!/usr/bin/env bash
# Profiles the archive benchmark's phases with JFR, one mount (and one recording) per phase:
#   index  = first listing of bench.tar.gz# (the indexing pass), then 200 random members,
#   reload = listing after a remount (the saved index), then the same 200 members.
# Prints the wall time of each step and, per recording, the hottest frames (self and inclusive).
# Usage: integration-tests/bench/archive-profile.sh JAR DATA_DIR   (DATA_DIR from archive-bench.sh's ARCHIVE_BENCH_DATA)
# KEEP=1 keeps the work dir (recordings, logs); TOP=N frames shown (0: none); LIST_PREFIX wraps the
# listing command (e.g. "strace -f -c -o FILE").
set -euo pipefail
jar=$1; data=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/lib.sh"
work=$(mktemp -d /tmp/mirrorfs-archive-profile.XXXXXX); chmod 755 "$work"
mnt=$work/mnt; mkdir -p "$mnt"
nginx_pid=; mirror_pid=
cleanup() {
  if mountpoint -q "$mnt" 2>/dev/null; then fusermount -u "$mnt" 2>/dev/null || umount -l "$mnt" || true; fi
  [ -n "$mirror_pid" ] && kill "$mirror_pid" 2>/dev/null || true
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null || true
  sleep 0.5; [ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
archive=$data/bench.tar.gz
tar -tzf "$archive" | grep '\.bin$' | python3 -c 'import random,sys; l=[x.strip() for x in sys.stdin]; random.Random(7).shuffle(l); print("\n".join(l[:200]))' > "$work/random200"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$work/nginx"
cat > "$work/nginx/nginx.conf" <<CONF
daemon off; worker_processes 2; pid $work/nginx/nginx.pid; error_log $work/nginx/error.log warn;
events { worker_connections 1024; }
http { default_type application/octet-stream; access_log off;
  client_body_temp_path $work/nginx/b; proxy_temp_path $work/nginx/p; fastcgi_temp_path $work/nginx/f;
  uwsgi_temp_path $work/nginx/u; scgi_temp_path $work/nginx/s;
  sendfile on; tcp_nopush on; keepalive_requests 1000000;
  server { listen 127.0.0.1:$port; root $data; autoindex on; } }
CONF
/usr/sbin/nginx -p "$work/nginx" -e "$work/nginx/error.log" -c "$work/nginx/nginx.conf" &
nginx_pid=$!
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
secs() { local t0 t1; t0=$(date +%s.%N); "$@" > /dev/null; t1=$(date +%s.%N); echo "$t0 $t1" | awk '{printf "%.3f", $2 - $1}'; }
a="$mnt/bench.tar.gz#"
cat_list() { while read -r f; do cat "$a/$f"; done < "$work/random200"; }
phase() {
  local name=$1
  java -XX:StartFlightRecording=filename=$work/$name.jfr,settings=profile ${MIRRORFS_JAVA_OPTS:-} -jar "$jar" mount "$mnt" \
    --source "/=http://127.0.0.1:$port/" --cache-dir "$work/cache" > "$work/$name.log" 2>&1 &
  mirror_pid=$!
  for _ in $(seq 600); do grep -q "^mirrorfs: mounted" "$work/$name.log" && break; sleep 0.05; done
  echo "$name: open+ls $(secs ls "$a") s, list $(secs ${LIST_PREFIX:-} find "$a") s, list again $(secs find "$a") s, 200 random $(secs cat_list) s, again $(secs cat_list) s  (load: $(cut -d' ' -f1-3 /proc/loadavg))"
  bench_fusermount "$mnt"; wait "$mirror_pid" || true; mirror_pid=
  jfr print --events jdk.ExecutionSample "$work/$name.jfr" > "$work/$name.txt"
  python3 "$here/archive-jfr-top.py" "$work/$name.txt" > "$work/$name.top"; head -${TOP:-60} "$work/$name.top"
  jfr print --events jdk.NativeMethodSample "$work/$name.jfr" > "$work/$name.native.txt"
  echo "native:"; python3 "$here/archive-jfr-top.py" "$work/$name.native.txt" > "$work/$name.native.top"; head -${TOP:-60} "$work/$name.native.top"
}
phase index
phase reload
