#!/usr/bin/env bash
# Archive benchmark: a ~500 MB tar.gz with 20,000 members served by a loopback nginx, entered as
# a directory through the kernel (NAME#/), against GNU tar on the same file in the same run:
#   1. list everything: first access (includes the indexing pass) vs `tar -tzf`,
#   2. a member near the end: first read after indexing, another near the end, the same again,
#      vs `tar -xzOf ARCHIVE MEMBER`,
#   3. 200 random members vs one `tar -xzOf` pass for the same 200 and vs `cat` of the extracted tree,
#   4. list everything after a remount with the persisted index (--cache-dir),
#   5. a zip of the same tree over HTTP: open (central directory) and 200 random members, vs
#      fuse-zip on the local file (the design's peer; installed with apt-get when missing),
#   6. a single-block tar.xz (xz's default) of ~100 MiB of text in 2,000 members: first listing vs
#      `tar -tJf`, then a member near the end with --cache-dir (read from the decoded copy the pass
#      kept), after a remount, and without --cache-dir (decoded from the start), vs `tar -xJOf`,
# with the bytes nginx sent for each mirrorfs step.
# Usage: integration-tests/bench/archive-bench.sh [JAR]   (ARCHIVE_BENCH_DATA=DIR keeps the generated data)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
jar=${1:-$here/packaging/target/mirrorfs.jar}
[ -f "$jar" ] || { echo "no jar at $jar: build it first (mvn -pl packaging -am package -DskipTests)" >&2; exit 1; }
work=$(mktemp -d /tmp/mirrorfs-archive-bench.XXXXXX)
chmod 755 "$work"
data=${ARCHIVE_BENCH_DATA:-$work/data}
mnt=$work/mnt; mkdir -p "$mnt" "$data"
nginx_pid=; mirror_pid=
cleanup() {
  if mountpoint -q "$mnt" 2>/dev/null; then fusermount -u "$mnt" 2>/dev/null || umount -l "$mnt" || true; fi
  if mountpoint -q "$work/fz" 2>/dev/null; then fusermount -u "$work/fz" 2>/dev/null || umount -l "$work/fz" || true; fi
  [ -n "$mirror_pid" ] && kill "$mirror_pid" 2>/dev/null || true
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null || true
  sleep 0.5; rm -rf "$work"
}
trap cleanup EXIT

if [ ! -f "$data/bench.tar.gz" ]; then
  echo "generating 20,000 members (~500 MB) in $data ..." >&2
  python3 - "$data/tree" <<'PY'
import os, random, sys
root = sys.argv[1]
rnd = random.Random(42)
for d in range(100):
    p = os.path.join(root, "d%02d" % d)
    os.makedirs(p, exist_ok=True)
    for f in range(200):
        size = rnd.randint(1024, 49 * 1024)
        with open(os.path.join(p, "f%03d.bin" % f), "wb") as fh:
            fh.write(os.urandom(size))
PY
  tar -czf "$data/bench.tar.gz" -C "$data/tree" .
  rm -rf "$data/tree"
fi
chmod -R a+rX "$data"
archive=$data/bench.tar.gz
cat "$archive" > /dev/null   # server side warm
members=$(tar -tzf "$archive" | grep -c '\.bin$')
last=$(tar -tzf "$archive" | grep '\.bin$' | tail -1)
near=$(tar -tzf "$archive" | grep '\.bin$' | tail -2 | head -1)
tar -tzf "$archive" | grep '\.bin$' | python3 -c 'import random,sys; l=[x.strip() for x in sys.stdin]; random.Random(7).shuffle(l); print("\n".join(l[:200]))' > "$work/random200"

bench_nginx "$work" "$data"
nginx_pid=$BENCH_NGINX_PID
url=$BENCH_NGINX_URL
log_lines() { wc -l < "$work/nginx/access.log"; }
log_bytes_since() { tail -n +"$(( $1 + 1 ))" "$work/nginx/access.log" | awk '{s+=$NF} END {print s+0}'; }
secs() { local t0 t1; t0=$(date +%s.%N); "$@" > /dev/null; t1=$(date +%s.%N); echo "$t0 $t1" | awk '{printf "%.3f", $2 - $1}'; }

mount_mirror() {
  bench_start_jar "$jar" "$mnt" "$work/mirror.log" --source "/=$url/" --cache-dir "$work/cache" || exit 1
  mirror_pid=$BENCH_PID
}
unmount_mirror() { bench_fusermount "$mnt"; wait "$mirror_pid" 2>/dev/null || true; mirror_pid=; }
a="$mnt/bench.tar.gz#"
cat_list() { while read -r f; do cat "$1/$f"; done < "$work/random200"; }
count_entries() { find "$1" | wc -l; }

echo "baselines (GNU tar on the local file) ..." >&2
t_tar_list=$(secs tar -tzf "$archive")
t_tar_last=$(secs tar -xzOf "$archive" "$last")
t_tar_200=$(secs sh -c "tar -xzOf '$archive' \$(sed 's|^|./|;s|^\./\./|./|' '$work/random200')")
mkdir -p "$work/extracted"
t_extract=$(secs tar -xzf "$archive" -C "$work/extracted")
sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true
cat "$archive" > /dev/null
t_tree_200=$(secs cat_list "$work/extracted")

echo "mirrorfs over HTTP ..." >&2
mount_mirror
n=$(log_lines); t_list=$(secs count_entries "$a"); b_list=$(log_bytes_since "$n")
entries=$(count_entries "$a")
n=$(log_lines); t_last=$(secs cat "$a/$last"); b_last=$(log_bytes_since "$n")
n=$(log_lines); t_near=$(secs cat "$a/$near"); b_near=$(log_bytes_since "$n")
t_again=$(secs cat "$a/$last")
n=$(log_lines); t_200=$(secs cat_list "$a"); b_200=$(log_bytes_since "$n")
ok=$(cmp <(cat "$a/$last") <(tar -xzOf "$archive" "$last") && echo identical || echo DIFFERENT)
unmount_mirror
mount_mirror
n=$(log_lines); t_relist=$(secs count_entries "$a"); b_relist=$(log_bytes_since "$n")
unmount_mirror
grep -E 'index' "$work/mirror.log" | tail -3 >&2 || true

echo "zip: fuse-zip on the local file vs mirrorfs over HTTP ..." >&2
if [ ! -f "$data/bench.zip" ]; then
  (cd "$work/extracted" && zip -q -r "$data/bench.zip.tmp" .) && mv "$data/bench.zip.tmp" "$data/bench.zip"
  chmod a+r "$data/bench.zip"
fi
command -v fuse-zip >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends fuse-zip >/dev/null
cat "$data/bench.zip" > /dev/null   # both read it from the page cache (fuse-zip locally, nginx)
mkdir -p "$work/fz"
t_fz_mount=$(secs fuse-zip -r "$data/bench.zip" "$work/fz")
t_fz_200=$(secs cat_list "$work/fz")
fusermount -u "$work/fz"
mount_mirror
z="$mnt/bench.zip#"
n=$(log_lines); t_zip_open=$(secs ls "$z/"); b_zip_open=$(log_bytes_since "$n")
n=$(log_lines); t_zip_200=$(secs cat_list "$z"); b_zip_200=$(log_bytes_since "$n")
zip_ok=$(cmp <(cat "$z/$last") <(tar -xzOf "$archive" "$last") && echo identical || echo DIFFERENT)
unmount_mirror

echo "tar.xz (single block): GNU tar vs mirrorfs with and without --cache-dir ..." >&2
if [ ! -f "$data/text.tar.xz" ]; then
  python3 - "$work/text" <<'PY'
import os, random, sys
root = sys.argv[1]
rnd = random.Random(3)
words = [("".join(rnd.choice("etaoinshrdlucmfwyp") for _ in range(rnd.randint(2, 9)))) for _ in range(5000)]
for d in range(40):
    p = os.path.join(root, "t%02d" % d)
    os.makedirs(p, exist_ok=True)
    for f in range(50):
        n = rnd.randint(10, 90) * 1024
        text = " ".join(rnd.choice(words) for _ in range(n // 5))
        with open(os.path.join(p, "doc%02d.txt" % f), "w") as fh:
            fh.write(text[:n])
PY
  tar -cf - -C "$work/text" . | xz -T1 -3 > "$data/text.tar.xz.tmp" && mv "$data/text.tar.xz.tmp" "$data/text.tar.xz"
  chmod a+r "$data/text.tar.xz"; rm -rf "$work/text"
fi
xz_archive=$data/text.tar.xz
xz_last=$(tar -tJf "$xz_archive" | grep '\.txt$' | tail -1)
t_xz_tar_list=$(secs tar -tJf "$xz_archive")
t_xz_tar_last=$(secs tar -xJOf "$xz_archive" "$xz_last")
x="$mnt/text.tar.xz#"
rm -rf "$work/cache"
mount_mirror
n=$(log_lines); t_xz_list=$(secs count_entries "$x"); b_xz_list=$(log_bytes_since "$n")
n=$(log_lines); t_xz_last=$(secs cat "$x/$xz_last"); b_xz_last=$(log_bytes_since "$n")
xz_ok=$(cmp <(cat "$x/$xz_last") <(tar -xJOf "$xz_archive" "$xz_last") && echo identical || echo DIFFERENT)
unmount_mirror
copy_mib=$(du -sm "$work/cache" | cut -f1)
mount_mirror
n=$(log_lines); t_xz_relast=$(secs cat "$x/$xz_last"); b_xz_relast=$(log_bytes_since "$n")
unmount_mirror
bench_start_jar "$jar" "$mnt" "$work/mirror.log" --source "/=$url/" || exit 1
mirror_pid=$BENCH_PID
count_entries "$x" > /dev/null
n=$(log_lines); t_xz_nocopy=$(secs cat "$x/$xz_last"); b_xz_nocopy=$(log_bytes_since "$n")
unmount_mirror

python3 - <<PY
mib = 1048576
size = $(stat -c %s "$archive")
print("Archive benchmark: %.0f MiB tar.gz, %d members (%d entries listed), loopback nginx, same run" % (size / mib, $members, $entries))
rows = [
  ("list everything, first access (index pass)", $t_list, "tar -tzf", $t_tar_list, $b_list),
  ("list everything after remount (saved index)", $t_relist, "tar -tzf", $t_tar_list, $b_relist),
  ("last member, first read", $t_last, "tar -xzOf one member", $t_tar_last, $b_last),
  ("another member near the end", $t_near, "tar -xzOf one member", $t_tar_last, $b_near),
  ("last member again (kernel cache)", $t_again, "tar -xzOf one member", $t_tar_last, 0),
  ("200 random members", $t_200, "tar -xzOf, one pass for the 200", $t_tar_200, $b_200),
  ("200 random members", $t_200, "cat of the extracted tree (cold)", $t_tree_200, $b_200),
  ("zip: open (central directory) and ls", $t_zip_open, "fuse-zip mount of the local zip", $t_fz_mount, $b_zip_open),
  ("zip: 200 random members", $t_zip_200, "fuse-zip, local zip, same 200", $t_fz_200, $b_zip_200),
]
rows += [
  ("tar.xz: list everything, first access", $t_xz_list, "tar -tJf", $t_xz_tar_list, $b_xz_list),
  ("tar.xz: last member, decoded copy", $t_xz_last, "tar -xJOf one member", $t_xz_tar_last, $b_xz_last),
  ("tar.xz: last member after a remount", $t_xz_relast, "tar -xJOf one member", $t_xz_tar_last, $b_xz_relast),
  ("tar.xz: last member without --cache-dir", $t_xz_nocopy, "tar -xJOf one member", $t_xz_tar_last, $b_xz_nocopy),
]
for what, t, base, tb, b in rows:
    print("  %-45s %8.3f s   vs %-34s %7.3f s  ratio %6.2f   nginx sent %8.1f MiB" % (what, t, base, tb, t / tb if tb else 0, b / mib))
print("  (extracting the whole archive with tar -xzf took %.3f s)" % $t_extract)
print("  last member content vs tar: $ok; from the zip: $zip_ok; from the tar.xz: $xz_ok")
print("  tar.xz: %.0f MiB compressed; --cache-dir after its first mount: $copy_mib MiB (blocks of the archive and the decoded copy)"
      % ($(stat -c %s "$xz_archive") / mib))
PY
