#!/usr/bin/env bash
# What a client of a mirrorfs mount sees when a server fails, and how long it takes, next to
# the latency of a healthy source read at the same time.
#
# One mount holds a healthy nginx (/http-healthy) and vsftpd (/ftp-healthy) and, for each
# protocol, the same servers behind fault proxies (vfs-backends test harness, FaultLab):
#   stopped      used once, then killed (connections reset, port refused), then read
#   stopped-mid  killed 1 s into a 1 GiB read
#   stalled      accepts connections and never answers
#   stalled-mid  stops forwarding after 1 MiB of each connection, keeping it open (3 MiB read)
#   trickle      1 byte per second
#   reset-mid    every connection reset (RST) after 1 MiB: reads must resume
#   refused      nothing listens
#   unknown-host no-such-host.invalid
# plus a lying HTTP server: a listed file answering 404, and one whose Content-Length promises
# 1 MiB more than it sends. After each case the server is healed and read again ("recovers").
#
# usage: integration-tests/bench/resilience.sh [-- extra mirrorfs mount options]
#   e.g. resilience.sh -- --read-timeout 3s --retries 1
# Healthy latency: 128 KiB preads at never-read offsets of a 1 GiB file on /http-healthy,
# p50/p99 in ms; "baseline" is measured with no fault running. Nothing here asserts timings.
set -euo pipefail
trap 'echo "resilience.sh: line $LINENO failed" >&2' ERR
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
[ "${1:-}" = "--" ] && shift
extra=("$@")

bench_need_jar
test_classes="$bench_root/vfs-backends/target/test-classes"
if [ ! -f "$test_classes/io/mirrorfs/testing/fault/FaultLab.class" ]; then
  (cd "$bench_root" && mvn -B -q -o -pl vfs-backends test-compile) >&2
fi

work=$(mktemp -d /tmp/mirrorfs-resilience-XXXXXX)
chmod 755 "$work"
data="$work/data"; mnt="$work/mnt"
mkdir -p "$data"; chmod 755 "$data"
truncate -s 1G "$data/healthy.bin"
head -c $((8 << 20)) /dev/urandom > "$data/file.bin"
chmod 644 "$data"/*

coproc LAB { exec java -cp "$test_classes" io.mirrorfs.testing.fault.FaultLab "$data" 2>"$work/lab.log"; }
# Plain duplicates of the coproc's pipes: bash does not pass coproc descriptors to subshells.
exec {lab_in}>&"${LAB[1]}" {lab_out}<&"${LAB[0]}"
lab_pid=$LAB_PID
declare -A url
while read -r -u "$lab_out" name u; do
  [ "$name" = ready ] && break
  url[$name]=$u
done

cleanup() {
  bench_unmount "$mnt" || true
  { echo quit >&"$lab_in"; } 2>/dev/null || true
  wait "$lab_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

lab() { echo "$*" >&"$lab_in"; read -r -u "$lab_out" answer; [ "$answer" = ok ] || echo "lab: $answer" >&2; }

sources=()
for n in "${!url[@]}"; do sources+=(--source "/$n=${url[$n]}"); done
bench_mount "$mnt" "${sources[@]}" --cache-size 64M "${extra[@]}"

first_mib=0
healthy() { # healthy FIRST_MIB: prints p50/p99 of 40 cold reads on the healthy source from FIRST_MIB on
  python3 "$here/resilience-latency.py" "$mnt/http-healthy/healthy.bin" "$1" 40 | awk '{printf "%s/%s", $1, $2}'
}

# run_case LABEL PATH [BLOCKS] : reads PATH with dd while measuring the healthy source; one table row.
run_case() {
  local label=$1 path=$2 count=${3:-1024} recover=${4:-}
  local t0 t1 rc err saw lat
  t0=$(date +%s.%N)
  ( r=0; timeout 600 dd if="$path" of=/dev/null bs=1M count="$count" 2>"$work/dd.err" || r=$?; echo "$r" > "$work/dd.rc" ) &
  local ddpid=$!
  sleep 0.3
  lat=$(healthy "$first_mib")
  first_mib=$((first_mib + 40)) # never the same offsets twice: every read is cold
  wait "$ddpid" || true
  t1=$(date +%s.%N)
  rc=$(cat "$work/dd.rc")
  err=$(grep -v 'records\|copied' "$work/dd.err" | tail -1 | sed 's/.*: //' || true)
  if [ "$rc" = 124 ]; then saw="hang (killed after 600 s)"
  elif [ "$rc" = 0 ]; then saw="ok: $(grep copied "$work/dd.err" | sed 's/ bytes.*//' || true) bytes"
  else saw="${err:-exit $rc}"; fi
  local rec=""
  if [ -n "$recover" ]; then
    lab start "$recover"
    if dd if="$path" of=/dev/null bs=1M count=2 2>/dev/null; then rec=yes; else
      sleep 2; if dd if="$path" of=/dev/null bs=1M count=2 2>/dev/null; then rec="yes (2nd try)"; else rec=no; fi; fi
  fi
  printf '| %-26s | %-34s | %7.2f | %-15s | %-13s |\n' "$label" "$saw" "$(echo "$t0 $t1" | awk '{print $2-$1}')" "$lat" "$rec"
}

echo "mirrorfs resilience, $(date -u +%F\ %H:%M) UTC, $(nproc) cores; mount options: --cache-size 64M ${extra[*]:-(defaults: --connect-timeout 5s --read-timeout 10s --retries 2)}"
echo
echo "| fault | client saw (dd) | seconds | healthy p50/p99 ms | recovers |"
echo "|---|---|---|---|---|"
printf '| %-26s | %-34s | %7s | %-15s | %-13s |\n' "none (baseline)" "-" "-" "$(healthy "$first_mib")" "-"
first_mib=$((first_mib + 40))
for p in http ftp; do
  ls "$mnt/$p-stopped" >/dev/null
  dd if="$mnt/$p-stopped/healthy.bin" of=/dev/null bs=1M count=1 2>/dev/null
  lab stop "$p-stopped"
  run_case "$p server stopped before read" "$mnt/$p-stopped/healthy.bin" 1024 "$p-stopped"

  ( sleep 1; lab stop "$p-stopped-mid" ) &
  stopper=$!
  run_case "$p stopped 1 s into a read" "$mnt/$p-stopped-mid/healthy.bin" 1024 "$p-stopped-mid"
  wait "$stopper" # not a bare wait: that would wait for the lab coprocess too

  run_case "$p stalled (never answers)" "$mnt/$p-stalled/healthy.bin" 1024 "$p-stalled"
  # Each new connection delivers 1 MiB again, so reads resume and progress at ~1 MiB per read timeout: read 3 MiB.
  run_case "$p stalls every conn at 1 MiB" "$mnt/$p-stalled-mid/healthy.bin" 3 "$p-stalled-mid"
  run_case "$p trickle 1 byte/s" "$mnt/$p-trickle/healthy.bin" 1024 "$p-trickle"
  run_case "$p reset after 1 MiB/conn" "$mnt/$p-reset-mid/healthy.bin" 64
  run_case "$p connection refused" "$mnt/$p-refused/healthy.bin" 1024 "$p-refused"
  run_case "$p unknown host" "$mnt/$p-unknown-host/healthy.bin"
done
run_case "http 404 for a listed file" "$mnt/http-lying/missing.bin"
run_case "http Content-Length lie" "$mnt/http-lying/lying.bin"
echo
echo "daemon still running: $(kill -0 "$BENCH_PID" 2>/dev/null && echo yes || echo NO); WARN lines in its log: $(grep -c WARN "$mnt.log" || true)"
