#!/usr/bin/env bash
# Sequential HTTP reads through FUSE: mirrorfs against the design's peers (rclone mount and
# httpdirfs, both from Debian, installed with apt-get when missing) and against curl, on the same
# loopback nginx, in one run. Each FUSE filesystem is mounted fresh and reads three cold 1 GiB
# files (hard links of one file: new to the filesystem, in nginx's page cache); curl reads the
# same file three times. Every figure is a median of three and a ratio to curl's median.
# What it answers: how close a FUSE filesystem over HTTP gets to curl on this machine, whatever
# its language or FUSE binding.
# Usage: integration-tests/bench/http-peers.sh [JAR]   (default: packaging/target/mirrorfs.jar)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
jar=${1:-$here/packaging/target/mirrorfs.jar}
[ -f "$jar" ] || { echo "no jar at $jar: build it first (mvn -pl packaging -am package -DskipTests)" >&2; exit 1; }
for tool in rclone httpdirfs; do
  command -v "$tool" >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$tool" >/dev/null
done
work=$(mktemp -d /tmp/mirrorfs-http-peers.XXXXXX)
chmod 755 "$work"
mnt=$work/mnt; data=$work/data; mkdir -p "$mnt" "$data"
nginx_pid=; fs_pid=
cleanup() {
  if mountpoint -q "$mnt" 2>/dev/null; then fusermount -u "$mnt" 2>/dev/null || umount -l "$mnt" || true; fi
  [ -n "$fs_pid" ] && kill "$fs_pid" 2>/dev/null || true
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null || true
  sleep 0.5; rm -rf "$work"
}
trap cleanup EXIT

bench_prefault_memory # first: see lib.sh
head -c $((1 << 30)) /dev/urandom > "$data/big1.bin"
ln -f "$data/big1.bin" "$data/big2.bin"; ln -f "$data/big1.bin" "$data/big3.bin"
chmod -R a+rX "$data"
sync
cat "$data/big1.bin" > /dev/null
bench_nginx "$work" "$data"
nginx_pid=$BENCH_NGINX_PID
url=$BENCH_NGINX_URL
secs() { python3 -c 'import time; print(time.time())'; }

# read_three : MiB/s of dd reading big1..3 through $mnt, one per line
read_three() {
  local f t0 t1
  for f in big1.bin big2.bin big3.bin; do
    t0=$(secs)
    if ! dd if="$mnt/$f" of=/dev/null bs=1M status=none 2>> "$work/dd.err"; then echo failed; return; fi
    t1=$(secs)
    python3 -c "print((1<<30)/($t1-$t0)/(1<<20))"
  done
}
# wait_mounted : until the FUSE filesystem answers with the listing
wait_mounted() {
  for _ in $(seq 200); do
    [ -e "$mnt/big3.bin" ] && return 0
    kill -0 "$fs_pid" 2>/dev/null || { echo "$1 exited" >&2; return 1; }
    sleep 0.05
  done
  echo "$1 did not mount" >&2; return 1
}
stop_fs() { bench_fusermount "$mnt" 2>/dev/null || fusermount -u -z "$mnt" 2>/dev/null || true; kill "$fs_pid" 2>/dev/null || true; wait "$fs_pid" 2>/dev/null || true; fs_pid=; }

curl_runs=()
for f in big1.bin big2.bin big3.bin; do
  curl_runs+=("$(curl -s -o /dev/null -w '%{speed_download}' "$url/$f" | awk '{print $1 / 1048576}')")
done

bench_start_jar "$jar" "$mnt" "$work/mirrorfs.log" --source "/=$url/" || exit 1
fs_pid=$BENCH_PID
mapfile -t mirrorfs_runs < <(read_three)
stop_fs

# The same with -o direct_io: the kernel copies replies straight into the reader's buffer instead
# of its page cache, at the price of the page cache itself (see README, "-o direct_io").
bench_start_jar "$jar" "$mnt" "$work/mirrorfs-dio.log" --source "/=$url/" -o direct_io || exit 1
fs_pid=$BENCH_PID
mapfile -t direct_runs < <(read_three)
stop_fs

printf '' > "$work/rclone.conf"
rclone mount --config "$work/rclone.conf" --http-url "$url/" :http: "$mnt" --read-only \
  --vfs-cache-mode off > "$work/rclone.log" 2>&1 &
fs_pid=$!
wait_mounted rclone
mapfile -t rclone_runs < <(read_three)
stop_fs

httpdirfs -f "$url/" "$mnt" > "$work/httpdirfs.log" 2>&1 &
fs_pid=$!
wait_mounted httpdirfs
mapfile -t httpdirfs_runs < <(read_three)
stop_fs

curl_med=$(bench_median "${curl_runs[@]}")
line() { # NAME LOG RUNS...
  local name=$1 log=$2; shift 2
  if [ "$*" = failed ] || [ $# -eq 0 ]; then
    printf '  %-34s could not read the file: %s\n' "$name" "$(grep -v '^ \|^unique\|LinkTable' "$log" | tail -1)"
    return
  fi
  local med; med=$(bench_median "$@")
  printf '  %-34s median %5.0f MiB/s  (%s)  %.2fx curl\n' "$name" "$med" \
    "$(printf '%.0f ' "$@" | sed 's/ $//')" "$(bench_ratio "$med" "$curl_med")"
}
echo "sequential 1 GiB cold, three files each, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg):"
line "curl (to /dev/null)" /dev/null "${curl_runs[@]}"
line "mirrorfs ($(basename "$jar"))" "$work/mirrorfs.log" "${mirrorfs_runs[@]}"
line "mirrorfs -o direct_io" "$work/mirrorfs-dio.log" "${direct_runs[@]}"
line "rclone mount $(rclone version 2>/dev/null | awk 'NR==1{print $2}')" "$work/rclone.log" "${rclone_runs[@]}"
line "httpdirfs $(dpkg-query -W -f '${Version}' httpdirfs 2>/dev/null)" "$work/httpdirfs.log" "${httpdirfs_runs[@]}"
