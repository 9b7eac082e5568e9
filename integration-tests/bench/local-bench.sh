#!/usr/bin/env bash
# Sequential read of a 1 GiB local file through a mirrorfs mount vs directly, cold and warm.
# Usage: integration-tests/bench/local-bench.sh [SIZE_MIB]   (default 1024; run as root)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
size_mib=${1:-1024}
work=$(mktemp -d /tmp/mirrorfs-bench-XXXXXX)
mp="$work/mnt"
trap 'bench_unmount "$mp" 2>/dev/null; rm -rf "$work"' EXIT

bench_need_jar
mkdir -p "$work/src"
bench_prefault_memory # first: see lib.sh
head -c $((size_mib * 1048576)) /dev/urandom > "$work/src/big.bin"
bytes=$((size_mib * 1048576))
read_file() { dd if="$1" of=/dev/null bs=1M status=none; }

bench_drop_caches; direct_cold=$(bench_seconds read_file "$work/src/big.bin")
direct_warm=$(bench_seconds read_file "$work/src/big.bin")

bench_mount "$mp" --source "/=file://$work/src"
bench_drop_caches; mnt_cold=$(bench_seconds read_file "$mp/big.bin")
mnt_warm=$(bench_seconds read_file "$mp/big.bin")
cmp "$work/src/big.bin" "$mp/big.bin"   # the bytes must be right before the speed matters
bench_unmount "$mp"

printf '%-34s %10s %10s %10s\n' "sequential read, ${size_mib} MiB" "direct" "mirrorfs" "ratio"
printf '%-34s %7s MiB/s %4s MiB/s %9s\n' "cold (page cache dropped)" \
  "$(bench_mibps $bytes $direct_cold)" "$(bench_mibps $bytes $mnt_cold)" "$(bench_ratio $direct_cold $mnt_cold)"
printf '%-34s %7s MiB/s %4s MiB/s %9s\n' "warm (second read)" \
  "$(bench_mibps $bytes $direct_warm)" "$(bench_mibps $bytes $mnt_warm)" "$(bench_ratio $direct_warm $mnt_warm)"
echo "(ratio = mirrorfs throughput / direct throughput)"
