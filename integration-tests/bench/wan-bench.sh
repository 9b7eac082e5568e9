#!/usr/bin/env bash
# Long-link benchmark (issue 19): every client reads through the WAN emulator
# (io.mirrorfs.it.wan.WanRelay: a TCP relay on 127.0.0.1 adding half the round trip to each
# direction, a per-connection and a total throughput cap) in front of a loopback nginx and vsftpd.
# At each round trip, in one run:
#   1. cold sequential read of one file (1 GiB; --quick: 256 MiB)
#   2. 8 parallel readers of 8 different files (8 x 128 MiB; --quick: 8 x 32 MiB)
#   3. random 4 KiB reads (2,000 at 20 ms, 200 at 80 ms; --quick: 500 / 100), median latency
#   4. find + stat of 10,000 files in 101 directories, cold
# for curl (one stream; 8 curls for 2.; one keep-alive connection for 3. and 4.: range requests,
# then the 101 directory listings one after another), aria2c -x8 -s8 (eight ranged streams: the
# practical ceiling of 1. and 2.), mirrorfs over HTTP and over FTP (a fresh mount each, default
# options) and rclone mount over HTTP with the flags that suit it best here:
#   --vfs-cache-mode off --http-no-head --buffer-size 64M --dir-cache-time 1h --attr-timeout 1h
# (--http-no-head: no HEAD per file, so a walk costs one listing per directory; a 64 MiB buffer
# per open file is rclone's read-ahead; its multi-thread downloads exist only for copy, not mount).
# Ratios: throughput to aria2c's, latency to the round trip, the walk to 101 round trips.
# Usage (as root): integration-tests/bench/wan-bench.sh [--quick] [--rtts "20 80"] [JAR]
#   env PER_CONN (default 50MiB/s) and TOTAL (default 400MiB/s) set the caps.
# Needs the emulator compiled: mvn -pl integration-tests -am test-compile (or verify).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
jar=$here/packaging/target/mirrorfs.jar
quick=0; rtts="20 80"
while [ $# -gt 0 ]; do
  case $1 in
    --quick) quick=1 ;;
    --rtts) rtts=$2; shift ;;
    *) jar=$1 ;;
  esac
  shift
done
per_conn=${PER_CONN:-50MiB/s}; total=${TOTAL:-400MiB/s}
if [ $quick = 1 ]; then seq_mib=256; par_mib=32; rand_20=500; rand_80=100; else seq_mib=1024; par_mib=128; rand_20=2000; rand_80=200; fi
classes=$here/integration-tests/target/test-classes
[ -f "$jar" ] || { echo "no jar at $jar: build it first (mvn -pl packaging -am package -DskipTests)" >&2; exit 1; }
[ -f "$classes/io/mirrorfs/it/wan/WanRelay.class" ] || { echo "no emulator in $classes: mvn -pl integration-tests -am test-compile" >&2; exit 1; }

work=$(mktemp -d /tmp/mirrorfs-wan-bench.XXXXXX)
chmod 755 "$work"
mnt=$work/mnt; data=$work/data; mkdir -p "$mnt" "$data/par" "$work/empty"
nginx_pid=; vsftpd_pid=; fs_pid=; relay_pids=()
stop_fs() {
  if mountpoint -q "$mnt" 2>/dev/null; then bench_fusermount "$mnt" 2>/dev/null || fusermount -u -z "$mnt" 2>/dev/null || true; fi
  [ -n "$fs_pid" ] && { kill "$fs_pid" 2>/dev/null || true; wait "$fs_pid" 2>/dev/null || true; }
  fs_pid=
}
cleanup() {
  stop_fs
  for p in "${relay_pids[@]}" $nginx_pid $vsftpd_pid; do kill "$p" 2>/dev/null || true; done
  sleep 0.5; rm -rf "$work" /dev/shm/mirrorfs-wan-aria2.$$
}
trap cleanup EXIT

bench_prefault_memory # first: see lib.sh
echo "generating data in $data ..." >&2
head -c $((seq_mib << 20)) /dev/urandom > "$data/big.bin"
for i in $(seq 0 7); do head -c $((par_mib << 20)) /dev/urandom > "$data/par/f$i.bin"; done
python3 - "$data" <<'PY'
import os, sys
root = os.path.join(sys.argv[1], "tree")
for d in range(100):
    p = os.path.join(root, "d%03d" % d)
    os.makedirs(p)
    for f in range(100):
        with open(os.path.join(p, "f%03d.txt" % f), "w") as fh:
            fh.write("x" * (d * 100 + f))
PY
chmod -R a+rX "$data"
sync
cat "$data/big.bin" "$data"/par/*.bin > /dev/null # the servers read from the page cache

bench_nginx "$work" "$data"
nginx_pid=$BENCH_NGINX_PID
http_port=${BENCH_NGINX_URL##*:}
ftp_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
pasv=$((ftp_port < 60000 ? ftp_port + 1 : ftp_port - 200))
cat > "$work/vsftpd.conf" <<CONF
listen=YES
listen_ipv6=NO
listen_address=127.0.0.1
listen_port=$ftp_port
background=NO
anonymous_enable=YES
no_anon_password=YES
anon_root=$data
local_enable=NO
write_enable=NO
seccomp_sandbox=NO
secure_chroot_dir=$work/empty
ftp_username=ftp
pasv_enable=YES
pasv_address=127.0.0.1
pasv_min_port=$pasv
pasv_max_port=$((pasv + 150))
max_clients=0
max_per_ip=0
use_sendfile=YES
dirmessage_enable=NO
tcp_wrappers=NO
CONF
/usr/sbin/vsftpd "$work/vsftpd.conf" > "$work/vsftpd.out" 2>&1 &
vsftpd_pid=$!
for _ in $(seq 100); do curl -s -o /dev/null "ftp://127.0.0.1:$ftp_port/" && break; sleep 0.1; done

# start_relay RTT SERVER_PORT [--ftp] : starts the emulator, sets RELAY_PORT
start_relay() {
  local rtt=$1 port=$2 out; shift 2
  out=$work/relay-$rtt-$port.out
  java -Xmx256m -XX:MaxDirectMemorySize=1g -cp "$classes" io.mirrorfs.it.wan.WanRelay --to "$port" --rtt "${rtt}ms" --per-conn "$per_conn" --total "$total" "$@" > "$out" 2>&1 &
  relay_pids+=($!)
  for _ in $(seq 100); do grep -q '^listening on' "$out" 2>/dev/null && break; sleep 0.1; done
  RELAY_PORT=$(awk '/^listening on/ {print $3}' "$out")
}
# wait_all PID... : waits for these (a bare wait would wait for nginx and vsftpd too)
wait_all() { local p; for p in "$@"; do wait "$p"; done; }
now() { date +%s.%N; }
elapsed() { echo "$1 $(now)" | awk '{printf "%.3f", $2 - $1}'; }
mibps() { echo "$1 $2" | awk '{ if ($2 <= 0) print "n/a"; else printf "%.0f", $1 / $2 }'; }
r2() { echo "$1 $2" | awk '{ if ($2 == 0 || $1 == "n/a" || $2 == "n/a") print "n/a"; else printf "%.2f", $1 / $2 }'; }

# random_fs FILE COUNT : median ms of COUNT random 4 KiB preads (POSIX_FADV_RANDOM) in FILE
random_fs() {
  bench_random_us "$1" "$2" 7 | awk '{ printf "%.1f\n", $1 / 1000 }'
}
# random_curl URL COUNT : median ms of COUNT range requests on one keep-alive connection
random_curl() {
  python3 - "$1" "$2" "$((seq_mib << 20))" > "$work/curl-random.cfg" <<'PY'
import random, sys
random.seed(7)
for i in range(int(sys.argv[2])):
    off = random.randrange(0, int(sys.argv[3]) - 4096) & ~4095
    if i:
        print('next')
    print('url = "%s"\nrange = "%d-%d"\noutput = "/dev/null"\nwrite-out = "%%{time_total}\\n"' % (sys.argv[1], off, off + 4095))
PY
  curl -s -K "$work/curl-random.cfg" | sort -g | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]*1e3}'
}
# fs_workloads NAME : runs 4., 3., 1., 2. on the file system mounted at $mnt (tree first: cold)
# and sets fs_find fs_rand fs_seq fs_par for table row NAME.
fs_workloads() {
  local t n
  t=$(now); n=$(find "$mnt/tree" -printf '%s %T@\n' | wc -l); fs_find=$(elapsed "$t")
  [ "$n" = 10101 ] || echo "$1: find saw $n entries, not 10,101" >&2
  fs_rand=$(random_fs "$mnt/big.bin" "$rand") || fs_rand=n/a
  t=$(now); dd if="$mnt/big.bin" of=/dev/null bs=1M status=none; fs_seq=$(mibps "$seq_mib" "$(elapsed "$t")")
  t=$(now)
  local pids=()
  for i in $(seq 0 7); do dd if="$mnt/par/f$i.bin" of=/dev/null bs=1M status=none & pids+=($!); done; wait_all "${pids[@]}"
  fs_par=$(mibps $((8 * par_mib)) "$(elapsed "$t")")
}
mount_mirrorfs() { # URL
  # shellcheck disable=SC2086 # MIRRORFS_OPTS is a word list on purpose
  bench_start_jar "$jar" "$mnt" "$work/mirrorfs.log" --source "/=$1" ${MIRRORFS_OPTS:-} || exit 1
  fs_pid=$BENCH_PID
}
row() { printf '%-22s %9s %9s %8s %8s %8s %8s %8s %8s\n' "$@"; }

echo "wan-bench: $(basename "$jar"), per connection $per_conn, total $total, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)$([ $quick = 1 ] && echo ', quick mode')"
for rtt in $rtts; do
  if [ "$rtt" -ge 80 ]; then rand=$rand_80; else rand=$rand_20; fi
  start_relay "$rtt" "$http_port"; hp=$RELAY_PORT
  start_relay "$rtt" "$ftp_port" --ftp; fp=$RELAY_PORT
  http=http://127.0.0.1:$hp
  ftp=ftp://127.0.0.1:$fp

  # aria2c -x8 -s8: the ceiling (to /dev/shm: a disk would be the bottleneck, not the link)
  mkdir -p /dev/shm/mirrorfs-wan-aria2.$$
  t=$(now)
  aria2c -q -x8 -s8 -k1M --file-allocation=none --allow-overwrite=true -d /dev/shm/mirrorfs-wan-aria2.$$ -o big.bin "$http/big.bin"
  aria_seq=$(mibps "$seq_mib" "$(elapsed "$t")")
  rm -f /dev/shm/mirrorfs-wan-aria2.$$/big.bin
  t=$(now)
  pids=()
  for i in $(seq 0 7); do aria2c -q -x8 -s8 -k1M --file-allocation=none --allow-overwrite=true -d /dev/shm/mirrorfs-wan-aria2.$$ -o f$i.bin "$http/par/f$i.bin" & pids+=($!); done; wait_all "${pids[@]}"
  aria_par=$(mibps $((8 * par_mib)) "$(elapsed "$t")")
  rm -rf /dev/shm/mirrorfs-wan-aria2.$$

  t=$(now); curl -s -o /dev/null "$http/big.bin"; curl_seq=$(mibps "$seq_mib" "$(elapsed "$t")")
  t=$(now); pids=(); for i in $(seq 0 7); do curl -s -o /dev/null "$http/par/f$i.bin" & pids+=($!); done; wait_all "${pids[@]}"
  curl_par=$(mibps $((8 * par_mib)) "$(elapsed "$t")")
  curl_rand=$(random_curl "$http/big.bin" "$rand")
  urls=("$http/tree/"); for d in $(seq -w 0 99); do urls+=("$http/tree/d0$d/"); done
  t=$(now); curl -s "${urls[@]}" > /dev/null; curl_find=$(elapsed "$t")

  mount_mirrorfs "$http/"; fs_workloads mirrorfs-http; stop_fs
  mh_find=$fs_find mh_rand=$fs_rand mh_seq=$fs_seq mh_par=$fs_par
  mount_mirrorfs "$ftp/"; fs_workloads mirrorfs-ftp; stop_fs
  mf_find=$fs_find mf_rand=$fs_rand mf_seq=$fs_seq mf_par=$fs_par
  printf '' > "$work/rclone.conf"
  rclone mount --config "$work/rclone.conf" --http-url "$http/" :http: "$mnt" --read-only --vfs-cache-mode off \
    --http-no-head --buffer-size 64M --dir-cache-time 1h --attr-timeout 1h > "$work/rclone.log" 2>&1 &
  fs_pid=$!
  for _ in $(seq 200); do [ -e "$mnt/big.bin" ] && break; sleep 0.05; done
  fs_workloads rclone; stop_fs
  rc_find=$fs_find rc_rand=$fs_rand rc_seq=$fs_seq rc_par=$fs_par

  walk=$(echo "$rtt" | awk '{printf "%.3f", 101 * $1 / 1000}')
  echo
  echo "RTT $rtt ms (ceiling: aria2c -x8 -s8 for throughput, one round trip for a random read, 101 round trips for the walk = $walk s)"
  row "workload" "aria2c-x8" "curl" "mfs-http" "ratio" "mfs-ftp" "ratio" "rclone" "ratio"
  row "seq ${seq_mib} MiB, MiB/s" "$aria_seq" "$curl_seq" "$mh_seq" "$(r2 "$mh_seq" "$aria_seq")" "$mf_seq" "$(r2 "$mf_seq" "$aria_seq")" "$rc_seq" "$(r2 "$rc_seq" "$aria_seq")"
  row "  curl ratio" "" "$(r2 "$curl_seq" "$aria_seq")" "" "$(r2 "$mh_seq" "$curl_seq")x curl" "" "$(r2 "$mf_seq" "$mh_seq")x http" "" ""
  row "8 x ${par_mib} MiB, MiB/s" "$aria_par" "$curl_par" "$mh_par" "$(r2 "$mh_par" "$aria_par")" "$mf_par" "$(r2 "$mf_par" "$aria_par")" "$rc_par" "$(r2 "$rc_par" "$aria_par")"
  row "random 4K x$rand, ms" "" "$curl_rand" "$mh_rand" "$(r2 "$mh_rand" "$rtt")" "$mf_rand" "$(r2 "$mf_rand" "$rtt")" "$rc_rand" "$(r2 "$rc_rand" "$rtt")"
  row "find+stat 10k, s" "" "$curl_find" "$mh_find" "$(r2 "$mh_find" "$walk")" "$mf_find" "$(r2 "$mf_find" "$walk")" "$rc_find" "$(r2 "$rc_find" "$walk")"
  for p in "${relay_pids[@]}"; do kill "$p" 2>/dev/null || true; done
  relay_pids=()
done
echo "(random: ratio = median / round trip; find+stat: ratio = time / (101 round trips); curl's find column: the 101 listings on one keep-alive connection)"
