#!/usr/bin/env bash
# FTP through a mirrorfs mount vs curl against the same vsftpd on 127.0.0.1, in one run:
#   1. sequential read of a 1 GiB file
#   2. 8 parallel readers of 8 different 128 MiB files
#   3. find + stat of a 10,000-file tree (100 dirs x 100 files), with the FTP commands vsftpd saw
# Usage (as root): integration-tests/bench/ftp-bench.sh [SIZE_MIB] [EXTRA_URL_QUERY]
#   EXTRA_URL_QUERY such as '?connections=8' is appended to the source URL.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
size_mib=${1:-1024}
query=${2:-}
work=$(mktemp -d /tmp/mirrorfs-ftpbench-XXXXXX)
mp="$work/mnt"
vsftpd_pid=
# Under set -e a failing command ends the trap too: wait returns the killed vsftpd's status
# (143), which skipped the rm and left the 2 GiB work directory behind on every run.
cleanup() {
  bench_unmount "$mp" 2>/dev/null || true
  if [ -n "$vsftpd_pid" ]; then kill "$vsftpd_pid" 2>/dev/null || true; wait "$vsftpd_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

bench_need_jar
src="$work/src"
mkdir -p "$src/par" "$src/tree" "$work/empty"
bench_prefault_memory # first: see lib.sh
head -c $((size_mib * 1048576)) /dev/urandom > "$src/big.bin"
for i in $(seq 0 7); do head -c $((128 * 1048576)) /dev/urandom > "$src/par/f$i.bin"; done
for d in $(seq -w 0 99); do
  mkdir -p "$src/tree/d$d"
  (cd "$src/tree/d$d" && for f in $(seq -w 0 99); do echo "$d/$f" > "f$f.txt"; done)
done
chmod -R a+rX "$work"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
pasv=$((port < 60000 ? port + 1 : port - 100))
cat > "$work/vsftpd.conf" <<CONF
listen=YES
listen_ipv6=NO
listen_address=127.0.0.1
listen_port=$port
background=NO
anonymous_enable=YES
no_anon_password=YES
anon_root=$src
local_enable=NO
write_enable=NO
seccomp_sandbox=NO
secure_chroot_dir=$work/empty
ftp_username=ftp
pasv_enable=YES
pasv_address=127.0.0.1
pasv_min_port=$pasv
pasv_max_port=$((pasv + 60))
max_clients=0
max_per_ip=0
utf8_filesystem=YES
use_sendfile=YES
xferlog_enable=YES
xferlog_std_format=NO
log_ftp_protocol=YES
vsftpd_log_file=$work/vsftpd.log
dirmessage_enable=NO
tcp_wrappers=NO
CONF
/usr/sbin/vsftpd "$work/vsftpd.conf" > "$work/vsftpd.out" 2>&1 &
vsftpd_pid=$!
for _ in $(seq 1 100); do curl -s -o /dev/null "ftp://127.0.0.1:$port/" && break; sleep 0.1; done
url="ftp://127.0.0.1:$port"
commands() { grep -c 'FTP command:' "$work/vsftpd.log" || true; }

# The server reads from its page cache in every run, so both clients measure the transfer path.
sync # the data just written would otherwise be written back to disk during the measurements
cat "$src/big.bin" "$src"/par/*.bin > /dev/null

# curl's speed varies by up to 2x from run to run here (which core the server and the client land
# on), so the sequential figures are medians of three: curl three times, and through one mount
# three cold files (hard links of the same data: new to mirrorfs, in vsftpd's page cache). The
# first of those is a fresh daemon's first GiB, which also pays for compiling the read path
# (JIT); it is printed on its own line.
ln -f "$src/big.bin" "$src/big2.bin"; ln -f "$src/big.bin" "$src/big3.bin"
curl_seq=$(bench_median "$(bench_seconds curl -s -o /dev/null "$url/big.bin")" \
  "$(bench_seconds curl -s -o /dev/null "$url/big.bin")" "$(bench_seconds curl -s -o /dev/null "$url/big.bin")")
par_curl() { for i in $(seq 0 7); do curl -s -o /dev/null "$url/par/f$i.bin" & done; wait; }
curl_par=$(bench_seconds par_curl)
c0=$(commands)
list_curl() { for d in $(seq -w 0 99); do curl -s "$url/tree/d$d/"; done; }
curl_list=$(bench_seconds list_curl)
curl_list_cmds=$(( $(commands) - c0 ))

bench_mount "$mp" --source "/=$url/$query"
r0=$(grep -c '"RETR ' "$work/vsftpd.log" || true)
mnt_first=$(bench_seconds dd if="$mp/big.bin" of=/dev/null bs=1M status=none)
mnt_seq=$(bench_median "$mnt_first" "$(bench_seconds dd if="$mp/big2.bin" of=/dev/null bs=1M status=none)" \
  "$(bench_seconds dd if="$mp/big3.bin" of=/dev/null bs=1M status=none)")
seq_retr=$(( $(grep -c '"RETR ' "$work/vsftpd.log" || true) - r0 ))
par_mnt() { for i in $(seq 0 7); do dd if="$mp/par/f$i.bin" of=/dev/null bs=1M status=none & done; wait; }
r0=$(grep -c '"RETR ' "$work/vsftpd.log" || true)
mnt_par=$(bench_seconds par_mnt)
par_retr=$(( $(grep -c '"RETR ' "$work/vsftpd.log" || true) - r0 ))
c0=$(commands)
find_stat() { find "$mp/tree" -printf '%s %T@ %p\n' | wc -l; }
mnt_find=$(bench_seconds find_stat)
mnt_find_cmds=$(( $(commands) - c0 ))
entries=$(find "$mp/tree" | wc -l)
# The bytes must be right before the speed matters.
cmp "$src/big.bin" "$mp/big.bin"
cmp "$src/par/f3.bin" "$mp/par/f3.bin"
bench_unmount "$mp"

# Reference: the same tree through a file:// mount (FUSE + cache ceiling on this machine, this run).
bench_mount "$mp" --source "/=file://$src"
ref_seq=$(bench_seconds dd if="$mp/big.bin" of=/dev/null bs=1M status=none)
ref_find=$(bench_seconds find_stat)
bench_unmount "$mp"

bytes=$((size_mib * 1048576))
par_bytes=$((8 * 128 * 1048576))
printf '%-44s %12s %12s %7s\n' "workload (vsftpd on 127.0.0.1)" "curl" "mirrorfs" "ratio"
printf '%-44s %6s MiB/s %6s MiB/s %7s\n' "sequential read, $size_mib MiB (median of 3)" \
  "$(bench_mibps $bytes $curl_seq)" "$(bench_mibps $bytes $mnt_seq)" "$(bench_ratio $curl_seq $mnt_seq)"
printf '%-44s %12s %12s\n' "  RETR commands for the three" 3 "$seq_retr"
printf '%-44s %12s %6s MiB/s %7s\n' "  first GiB of a fresh daemon (JIT)" "" "$(bench_mibps $bytes $mnt_first)" "$(bench_ratio $curl_seq $mnt_first)"
printf '%-44s %6s MiB/s %6s MiB/s %7s\n' "8 parallel readers, 8 x 128 MiB" \
  "$(bench_mibps $par_bytes $curl_par)" "$(bench_mibps $par_bytes $mnt_par)" "$(bench_ratio $curl_par $mnt_par)"
printf '%-44s %12s %12s\n' "  RETR commands for it" 8 "$par_retr"
printf '%-44s %10s s %10s s %7s\n' "find+stat, 10,000 files in 100 dirs" "$curl_list" "$mnt_find" "$(bench_ratio $curl_list $mnt_find)"
printf '%-44s %12s %12s\n' "  FTP commands the server saw" "$curl_list_cmds" "$mnt_find_cmds"
printf '%-44s %6s MiB/s, find+stat %s s\n' "reference: same tree via file:// mount" "$(bench_mibps $bytes $ref_seq)" "$ref_find"
echo "(curl column for find+stat: one 'curl ftp://.../dNN/' listing per directory, a new login each;"
echo " ratio = mirrorfs throughput / curl throughput, or curl time / mirrorfs time; $entries entries found)"
