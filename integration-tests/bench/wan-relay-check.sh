#!/usr/bin/env bash
# Checks the WAN emulator itself with curl against a loopback nginx, in one run: the added round
# trip (keep-alive requests of 100 bytes, median of 20, against the configured RTT), one stream
# (should reach --per-conn) and 8 streams (should reach --total), each also without the relay,
# which is what this machine allows at the moment.
# Usage: integration-tests/bench/wan-relay-check.sh [RTT_MS] [PER_CONN] [TOTAL]   (80 50MiB/s 400MiB/s)
# Needs the emulator compiled: mvn -pl integration-tests -am test-compile (or verify).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
rtt=${1:-80}; per_conn=${2:-50MiB/s}; total=${3:-400MiB/s}
work=$(mktemp -d /tmp/mirrorfs-wan-check.XXXXXX)
nginx_pid=; relay_pid=
cleanup() { kill $nginx_pid $relay_pid 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
mkdir -p "$work/data"
head -c $((512 << 20)) /dev/urandom > "$work/data/big.bin"
chmod -R a+rX "$work"
bench_nginx "$work" "$work/data"
nginx_pid=$BENCH_NGINX_PID
java -Xmx256m -XX:MaxDirectMemorySize=1g -cp "$here/integration-tests/target/test-classes" io.mirrorfs.it.wan.WanRelay \
  --to "${BENCH_NGINX_URL##*:}" --rtt "${rtt}ms" --per-conn "$per_conn" --total "$total" > "$work/relay.out" 2>&1 &
relay_pid=$!
for _ in $(seq 100); do grep -q '^listening on' "$work/relay.out" && break; sleep 0.1; done
relay=http://127.0.0.1:$(awk '/^listening on/ {print $3}' "$work/relay.out")
urls=(); for _ in $(seq 21); do urls+=(-o /dev/null -r 0-99 "$relay/big.bin"); done
rtts=$(curl -s -w '%{time_total}\n' "${urls[@]}" | tail -n +2 | sort -g | awk '{a[NR]=$1} END {printf "%.2f", a[int((NR+1)/2)]*1000}')
one() { curl -s -o /dev/null -w '%{speed_download}' "$1/big.bin" | awk '{printf "%.0f", $1/1048576}'; }
eight() {
  local t0 pids=() i
  t0=$(date +%s.%N)
  for i in $(seq 0 7); do curl -s -o /dev/null -r $((i << 26))-$((((i + 1) << 26) - 1)) "$1/big.bin" & pids+=($!); done
  for i in "${pids[@]}"; do wait "$i"; done
  echo "$t0 $(date +%s.%N)" | awk '{printf "%.0f", 512/($2-$1)}'
}
echo "WAN emulator, --rtt ${rtt}ms --per-conn $per_conn --total $total, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "round trip of a keep-alive request, median of 20: $rtts ms (configured $rtt ms; nginx's own time included)"
echo "one stream:  $(one "$relay") MiB/s through the relay, $(one "$BENCH_NGINX_URL") MiB/s direct"
echo "8 streams:   $(eight "$relay") MiB/s through the relay, $(eight "$BENCH_NGINX_URL") MiB/s direct"
