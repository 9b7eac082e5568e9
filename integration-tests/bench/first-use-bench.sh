#!/usr/bin/env bash
# First-use benchmark (issue 20): what a client gets right after `mirrorfs mount`, against what the
# same workload gets from a daemon that has been running a while (warm JIT) and reads data it has
# not seen, in one run, over one loopback nginx. For each workload: a fresh mount, then the
# workload, median of 3 fresh mounts; then one daemon that runs every workload once on other files
# (to warm up) and then on fresh files; prints "first use / warm" ratios, and rclone mount (no
# cache) on the same fresh workloads where it applies:
#   start    launch to the `mirrorfs: mounted` line
#   seq      1 GiB sequential read (dd bs=1M)
#   par4     4 parallel readers of different 256 MiB files (aggregate MiB/s)
#   find     find + stat of 10,000 files in 100 directories (find -printf '%s %T@')
#   random   2,000 random 4 KiB preads of a 1 GiB file (POSIX_FADV_RANDOM), median
#   zip      list of a zip of 20,000 members over HTTP (after the ready line; and from launch)
#   targz    list of a tar.gz of the same 20,000 members (the indexing pass; and from launch), vs tar -tzf
#   tbz2     list of a tar.bz2 of 4,000 of them (~100 MiB: bzip2 is decoded in Java, so this shows
#            what JIT settings cost a CPU-bound Java decoder)
# Usage: integration-tests/bench/first-use-bench.sh [JAR]
#   FIRST_USE_DATA=DIR keeps the generated data between runs; RUNS=N fresh mounts per workload (3);
#   WORKLOADS="seq find ..." limits the workloads; PEERS=0 skips rclone;
#   VARIANTS="name=JVM_OPTIONS;name2=JVM_OPTIONS" compares JVM settings, interleaved mount by mount
#   (default: one variant, the launchers' own options), e.g. VARIANTS="tiered=;c1=-XX:TieredStopAtLevel=1".
set -euo pipefail
source "$(dirname "$0")/lib.sh"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
jar=${1:-$here/packaging/target/mirrorfs.jar}
[ -f "$jar" ] || { echo "no jar at $jar: build it first (mvn -pl packaging -am package -DskipTests)" >&2; exit 1; }
runs=${RUNS:-3}
workloads=${WORKLOADS:-start seq par4 find random zip targz tbz2}
IFS=';' read -r -a variants <<< "${VARIANTS:-launcher=}"
peers=${PEERS:-1}
work=$(mktemp -d /tmp/mirrorfs-first-use.XXXXXX)
chmod 755 "$work"
data=${FIRST_USE_DATA:-$work/data}
mnt=$work/mnt; mkdir -p "$mnt" "$data"
nginx_pid=; mirror_pid=; rclone_pid=
cleanup() {
  if mountpoint -q "$mnt" 2>/dev/null; then fusermount -u "$mnt" 2>/dev/null || umount -l "$mnt" || true; fi
  [ -n "$mirror_pid" ] && kill "$mirror_pid" 2>/dev/null || true
  [ -n "$rclone_pid" ] && kill "$rclone_pid" 2>/dev/null || true
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null || true
  sleep 0.5; rm -rf "$work"
}
trap cleanup EXIT
secs() { date +%s.%N; }
has() { case " $workloads " in *" $1 "*) return 0;; esac; return 1; }

bench_prefault_memory # first: see lib.sh
if [ ! -f "$data/ready" ]; then
  echo "generating data in $data (once; FIRST_USE_DATA=DIR keeps it) ..." >&2
  head -c $((1 << 30)) /dev/urandom > "$data/big.bin"
  head -c $((256 << 20)) /dev/urandom > "$data/part.bin"
  python3 - "$data" <<'PY'
import os, random, sys
base = sys.argv[1]
for tree in ("tree", "arch"):
    rnd = random.Random(42)
    dirs, files = (100, 100) if tree == "tree" else (100, 200)
    for d in range(dirs):
        p = os.path.join(base, tree, "d%03d" % d)
        os.makedirs(p, exist_ok=True)
        for f in range(files):
            with open(os.path.join(p, "f%03d.txt" % f), "wb") as fh:
                if tree == "tree":
                    fh.write(b"x" * (d * 100 + f))
                else:  # about 24 KiB of compressible text each: ~480 MiB, as the issue's archives
                    words = [b"mirror", b"block", b"cache", b"kernel", b"fuse", b"%d" % rnd.randrange(10**6)]
                    fh.write(b" ".join(rnd.choice(words) for _ in range(rnd.randint(500, 7000))))
PY
  (cd "$data/arch" && zip -q -r -1 ../bench.zip . && tar -czf ../bench.tar.gz . && tar -cjf ../bench.tar.bz2 d00[0-9] d01[0-9])
  rm -rf "$data/arch"
  touch "$data/ready"
fi
if [ ! -f "$data/bench.tar.bz2" ]; then # data made by an older version of this script
  mkdir -p "$data/arch" && tar -xzf "$data/bench.tar.gz" -C "$data/arch" ./d000 ./d001 ./d002 ./d003 ./d004 ./d005 ./d006 ./d007 ./d008 ./d009 ./d010 ./d011 ./d012 ./d013 ./d014 ./d015 ./d016 ./d017 ./d018 ./d019
  (cd "$data/arch" && tar -cjf ../bench.tar.bz2 d00[0-9] d01[0-9]) && rm -rf "$data/arch"
fi
# Names the daemons have not seen: hard links (nginx serves them from the same page-cached data).
for s in a b c d e f g h i j k l m n o p; do
  ln -f "$data/big.bin" "$data/big-$s.bin"; ln -f "$data/big.bin" "$data/rnd-$s.bin"
  ln -f "$data/bench.zip" "$data/zip-$s.zip"; ln -f "$data/bench.tar.gz" "$data/tgz-$s.tar.gz"; ln -f "$data/bench.tar.bz2" "$data/tbz-$s.tar.bz2"
  for p in 0 1 2 3; do ln -f "$data/part.bin" "$data/part-$s$p.bin"; done
  [ -d "$data/tree-$s" ] || cp -al "$data/tree" "$data/tree-$s"
done
chmod -R a+rX "$data"
sync
cat "$data/big.bin" "$data/part.bin" "$data/bench.zip" "$data/bench.tar.gz" > /dev/null # server side warm

bench_nginx "$work" "$data"
nginx_pid=$BENCH_NGINX_PID
url=$BENCH_NGINX_URL

launch() { # launch [JVM_OPTIONS]: start a daemon; sets started (the launch time) and mirror_pid; waits for the ready line
  started=$(secs)
  MIRRORFS_JAVA_OPTS="${MIRRORFS_JAVA_OPTS:-} ${1:-}" bench_start_jar "$jar" "$mnt" "$work/mirror.log" --source "/=$url/" || exit 1
  mirror_pid=$BENCH_PID
}
stop() { bench_fusermount "$mnt"; wait "$mirror_pid" 2>/dev/null || true; mirror_pid=; }

# One workload against the mount at $1 with files of set $2; prints its figure (MiB/s, s or us).
run_workload() {
  local root=$1 s=$2 w=$3 t0 t1
  case $w in
    seq)
      t0=$(secs); dd if="$root/big-$s.bin" of=/dev/null bs=1M status=none; t1=$(secs)
      python3 -c "print('%.0f' % (1024 / ($t1 - $t0)))" ;;
    par4)
      t0=$(secs)
      pids=()
      for p in 0 1 2 3; do dd if="$root/part-$s$p.bin" of=/dev/null bs=1M status=none & pids+=($!); done
      wait "${pids[@]}" # only the readers: the shell's other children (nginx, the daemon) run on
      t1=$(secs); python3 -c "print('%.0f' % (1024 / ($t1 - $t0)))" ;;
    find)
      t0=$(secs); find "$root/tree-$s" -type f -printf '%s %T@\n' > /dev/null; t1=$(secs)
      python3 -c "print('%.3f' % ($t1 - $t0))" ;;
    random)
      bench_random_us "$root/rnd-$s.bin" ;;
    zip) find "$root/zip-$s.zip#/" -printf '%s\n' | wc -l > "$work/count" ;;
    targz) find "$root/tgz-$s.tar.gz#/" -printf '%s\n' | wc -l > "$work/count" ;;
    tbz2) find "$root/tbz-$s.tar.bz2#/" -printf '%s\n' | wc -l > "$work/count" ;;
  esac
}

declare -A fresh warm rclone_fig fresh_total
sets=(a b c d e f g h i j k l m n o p)
listing() { [ "$1" = zip ] || [ "$1" = targz ] || [ "$1" = tbz2 ]; }
# Fresh mounts: one launch per workload, run and variant, the variants interleaved (the archive
# workloads also count from the launch: what a user who mounts to look inside waits).
for w in $workloads; do
  declare -A figs=() totals=()
  for ((i = 0; i < runs; i++)); do
    for ((v = 0; v < ${#variants[@]}; v++)); do
      s=${sets[$((i * ${#variants[@]} + v))]}
      launch "${variants[$v]#*=}"
      if [ "$w" = start ]; then
        figs[$v]+=" $(python3 -c "print('%.3f' % ($(secs) - $started))")"
      elif listing "$w"; then
        t0=$(secs); run_workload "$mnt" "$s" "$w"; t1=$(secs)
        figs[$v]+=" $(python3 -c "print('%.3f' % ($t1 - $t0))")"
        totals[$v]+=" $(python3 -c "print('%.3f' % ($t1 - $started))")"
      else
        figs[$v]+=" $(run_workload "$mnt" "$s" "$w")"
      fi
      stop
    done
  done
  for ((v = 0; v < ${#variants[@]}; v++)); do
    # shellcheck disable=SC2086 # word lists on purpose
    fresh[$v,$w]=$(bench_median ${figs[$v]})
    [ -n "${totals[$v]:-}" ] && fresh_total[$v,$w]=$(bench_median ${totals[$v]})
    echo "fresh ${variants[$v]%%=*} $w:${figs[$v]}${totals[$v]:+ (from launch:${totals[$v]})}" >&2
  done
done

# A warm daemon per variant: every workload once on set o (warming), then measured on set p.
for ((v = 0; v < ${#variants[@]}; v++)); do
  launch "${variants[$v]#*=}"
  for w in $workloads; do [ "$w" = start ] || run_workload "$mnt" o "$w" > /dev/null; done
  for w in $workloads; do
    [ "$w" = start ] && continue
    t0=$(secs)
    fig=$(run_workload "$mnt" p "$w")
    if listing "$w"; then fig=$(python3 -c "print('%.3f' % ($(secs) - $t0))"); fi
    warm[$v,$w]=$fig
    echo "warm ${variants[$v]%%=*} $w: $fig" >&2
  done
  stop
done

# rclone mount without a cache on the same fresh workloads (a fresh mount each).
if [ "$peers" = 1 ] && command -v rclone > /dev/null; then
  for w in seq par4 find random; do
    has "$w" || continue
    figs=()
    for ((i = 0; i < runs; i++)); do
      rclone mount :http: "$mnt" --http-url "$url/" --read-only --vfs-cache-mode off --dir-cache-time 60s > "$work/rclone.log" 2>&1 &
      rclone_pid=$!
      for _ in $(seq 100); do mountpoint -q "$mnt" && break; sleep 0.1; done
      figs+=("$(run_workload "$mnt" "${sets[$i]}" "$w")")
      bench_fusermount "$mnt"; wait "$rclone_pid" 2>/dev/null || true; rclone_pid=
    done
    rclone_fig[$w]=$(bench_median "${figs[@]}")
  done
fi

tar_tzf=$( t0=$(secs); tar -tzf "$data/bench.tar.gz" > /dev/null; t1=$(secs); python3 -c "print('%.3f' % ($t1 - $t0))")
unzip_l=$( t0=$(secs); unzip -l "$data/bench.zip" > /dev/null; t1=$(secs); python3 -c "print('%.3f' % ($t1 - $t0))")

tar_tjf=$( t0=$(secs); tar -tjf "$data/bench.tar.bz2" > /dev/null; t1=$(secs); python3 -c "print('%.3f' % ($t1 - $t0))")
echo "first-use benchmark, loopback nginx, same run ($runs fresh mounts per workload and variant, medians)"
for ((v = 0; v < ${#variants[@]}; v++)); do
  echo "variant ${variants[$v]%%=*}: JVM options ${variants[$v]#*=}${MIRRORFS_JAVA_OPTS:+ $MIRRORFS_JAVA_OPTS} (plus the launchers')"
  printf '%-8s %12s %12s %10s %14s\n' workload "first use" warm "first/warm" "rclone (fresh)"
  for w in $workloads; do
    f=${fresh[$v,$w]}; wm=${warm[$v,$w]:-}; r=${rclone_fig[$w]:-}
    case $w in
      seq|par4) unit="MiB/s"; ratio=$( [ -n "$wm" ] && bench_ratio "$wm" "$f" || echo -) ;;  # slower = higher ratio
      *) unit=$( [ "$w" = random ] && echo us || echo s ); ratio=$( [ -n "$wm" ] && bench_ratio "$f" "$wm" || echo -) ;;
    esac
    printf '%-8s %8s %-5s %8s %-5s %8sx %10s %s\n' "$w" "$f" "$unit" "${wm:--}" "$unit" "$ratio" "${r:--}" "$unit"
  done
  for w in zip targz tbz2; do
    [ -n "${fresh_total[$v,$w]:-}" ] && echo "$w from launch (mount + list): ${fresh_total[$v,$w]} s"
  done
done
echo "(first/warm: how many times slower first use is; target <= 1.5x each)"
echo "baselines: tar -tzf $tar_tzf s, tar -tjf $tar_tjf s, unzip -l $unzip_l s (local file)"
