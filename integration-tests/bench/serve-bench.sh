#!/usr/bin/env bash
# Apache httpd serving files from a mirrorfs mount vs from a local directory, warm cache, with wrk.
#
# One Apache (Debian's apache2, event MPM, workers as www-data, the README recipe's settings:
# EnableMMAP Off, sendfile off as in Debian's default) serves the same 1 MiB and 100 MiB files
# under /local/ (a plain directory) and /mirror/ (mirrorfs mounted with -o allow_other, its
# source an nginx upstream on loopback holding the same files). Every file is read once through
# the mount and wrk warms each URL before it is measured, so both sides serve from memory.
# Local and mirror runs alternate ROUNDS times and the medians are printed (a shared machine's
# load drifts), with requests/s, MB/s and mirror/local ratios, all from this one run.
#
# Usage: integration-tests/bench/serve-bench.sh [SECONDS] [CONNECTIONS] [ROUNDS]   (default 5 s, 8, 3; run as root)
# Needs: apache2, nginx, wrk (apt-get install apache2 nginx-light wrk).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
secs=${1:-5}
conns=${2:-8}
rounds=${3:-3}
for tool in wrk /usr/sbin/apache2 nginx curl; do
  command -v "$tool" >/dev/null || { echo "serve-bench: $tool is missing (apt-get install wrk apache2 nginx-light curl)" >&2; exit 1; }
done

work=$(mktemp -d /tmp/mirrorfs-serve-bench-XXXXXX)
chmod 755 "$work"
mp="$work/www/mirror"
cleanup() {
  [ -f "$work/apache/httpd.pid" ] && kill "$(cat "$work/apache/httpd.pid")" 2>/dev/null
  [ -f "$work/nginx/nginx.pid" ] && kill "$(cat "$work/nginx/nginx.pid")" 2>/dev/null
  bench_unmount "$mp" 2>/dev/null
  sleep 0.5
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

bench_need_jar
mkdir -p "$work/files" "$work/www/local" "$mp" "$work/apache" "$work/nginx"
head -c $((1 << 20)) /dev/urandom > "$work/files/1MiB.bin"
head -c $((100 << 20)) /dev/urandom > "$work/files/100MiB.bin"
cp "$work/files/"*.bin "$work/www/local/"
chmod -R a+rX "$work/files" "$work/www"

# The upstream: nginx serving the same files.
nginx_port=$(free_port)
cat > "$work/nginx/nginx.conf" <<EOF
daemon on;
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events {}
http {
  access_log off;
  client_body_temp_path $work/nginx; proxy_temp_path $work/nginx; fastcgi_temp_path $work/nginx;
  uwsgi_temp_path $work/nginx; scgi_temp_path $work/nginx;
  server { listen 127.0.0.1:$nginx_port; root $work/files; autoindex on; }
}
EOF
nginx -c "$work/nginx/nginx.conf"

bench_mount "$mp" --source "/=http://127.0.0.1:$nginx_port/" -o allow_other

# Apache: one server, the same settings for both directories.
apache_port=$(free_port)
mods=/usr/lib/apache2/modules
cat > "$work/apache/httpd.conf" <<EOF
ServerRoot $work/apache
DefaultRuntimeDir $work/apache
PidFile $work/apache/httpd.pid
Listen 127.0.0.1:$apache_port
ServerName 127.0.0.1
User www-data
Group www-data
ErrorLog $work/apache/error.log
LogLevel warn
LoadModule mpm_event_module $mods/mod_mpm_event.so
LoadModule authz_core_module $mods/mod_authz_core.so
LoadModule alias_module $mods/mod_alias.so
LoadModule dir_module $mods/mod_dir.so
LoadModule mime_module $mods/mod_mime.so
LoadModule autoindex_module $mods/mod_autoindex.so
TypesConfig /etc/mime.types
DocumentRoot "$work/www"
<Directory />
    Require all denied
</Directory>
<Directory "$work/www">
    Options Indexes FollowSymLinks
    AllowOverride None
    Require all granted
    EnableMMAP Off
</Directory>
EOF
/usr/sbin/apache2 -d "$work/apache" -f "$work/apache/httpd.conf" -k start
for _ in $(seq 1 100); do curl -fs -o /dev/null "http://127.0.0.1:$apache_port/" && break; sleep 0.1; done

base="http://127.0.0.1:$apache_port"
# Correct bytes first, and the whole files into mirrorfs's cache and the kernel's page cache.
for f in 1MiB.bin 100MiB.bin; do
  for side in local mirror; do
    got=$(curl -fsS "$base/$side/$f" | sha256sum | cut -d' ' -f1)
    want=$(sha256sum < "$work/files/$f" | cut -d' ' -f1)
    [ "$got" = "$want" ] || { echo "serve-bench: $side/$f served wrong bytes" >&2; exit 1; }
  done
done

# run_wrk URL : prints "REQ_PER_SEC MB_PER_SEC" (MB = 10^6 bytes: bytes read / duration).
run_wrk() {
  local out req bytes dur
  out=$(wrk -t2 -c"$conns" -d"${secs}s" "$1")
  req=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  # "N requests in 10.00s, 1.02GB read"
  read -r bytes dur < <(awk '/requests in/ {
      d=$4; sub(/s,$/, "", d); v=$5; u=v; sub(/[0-9.]+/, "", u); sub(/[A-Za-z]+$/, "", v);
      m = (u=="KB") ? 1024 : (u=="MB") ? 1048576 : (u=="GB") ? 1073741824 : (u=="TB") ? 1099511627776 : 1;
      printf "%.0f %s\n", v * m, d }' <<<"$out")
  echo "$req $(awk -v b="$bytes" -v d="$dur" 'BEGIN { printf "%.1f", b / d / 1e6 }')"
}

# median A B C : prints the middle value.
median() { printf '%s\n' "$@" | sort -g | sed -n "$(( ($# + 1) / 2 ))p"; }

printf 'Apache serving from a local directory vs a mirrorfs mount (HTTP source), warm; wrk -t2 -c%s -d%ss,\n' "$conns" "$secs"
printf 'local and mirror alternated %s times (order swapped each round), medians shown; load average before: %s\n' "$rounds" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-10s %12s %11s %13s %12s %10s %9s\n' file "local req/s" "local MB/s" "mirror req/s" "mirror MB/s" "req ratio" "MB ratio"
for f in 1MiB.bin 100MiB.bin; do
  wrk -t2 -c"$conns" -d2s "$base/local/$f" >/dev/null    # warm-up
  wrk -t2 -c"$conns" -d2s "$base/mirror/$f" >/dev/null
  lr=(); lm=(); mr=(); mm=()
  for r in $(seq 1 "$rounds"); do
    # Swap the order every round, so neither side always runs second.
    if [ $((r % 2)) -eq 1 ]; then
      read -r a b < <(run_wrk "$base/local/$f"); lr+=("$a"); lm+=("$b")
      read -r a b < <(run_wrk "$base/mirror/$f"); mr+=("$a"); mm+=("$b")
    else
      read -r a b < <(run_wrk "$base/mirror/$f"); mr+=("$a"); mm+=("$b")
      read -r a b < <(run_wrk "$base/local/$f"); lr+=("$a"); lm+=("$b")
    fi
  done
  lreq=$(median "${lr[@]}"); lmb=$(median "${lm[@]}"); mreq=$(median "${mr[@]}"); mmb=$(median "${mm[@]}")
  printf '%-10s %12s %11s %13s %12s %10s %9s\n' "$f" "$lreq" "$lmb" "$mreq" "$mmb" "$(bench_ratio "$mreq" "$lreq")" "$(bench_ratio "$mmb" "$lmb")"
done
echo "(ratio = mirror / local; same Apache, same run; load average after: $(cut -d' ' -f1-3 /proc/loadavg))"
if grep -q 'exit signal\|error' "$work/apache/error.log"; then
  echo "Apache error log:" >&2; cat "$work/apache/error.log" >&2
fi
