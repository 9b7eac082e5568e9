# mirrorfs_jvm_options ARGS... : prints the JVM options for a mirrorfs run with these arguments.
# Sourced (POSIX sh) by every launcher: ./mirrorfs, /usr/bin/mirrorfs, the integration tests'
# MountedMirror and the benchmark scripts, so the daemon's heap is bounded the same way everywhere.
#
# Why a heap bound: the cache keeps file blocks on the Java heap, and without -Xmx the JVM may
# grow its heap to a quarter of the machine's RAM under a high allocation rate (measured: 2.3 GiB
# peak RSS with --cache-size 32M during the 32-reader load test). The bound is the cache budget
# (file blocks and archive checkpoints together: --archive-index-memory is a share of
# --cache-size, not added to it) plus a fixed allowance for everything else (listings, metadata,
# buffers in flight, decoders), so peak memory follows --cache-size as the README promises.
# An -Xmx already in MIRRORFS_JAVA_OPTS wins (it comes later on the java command line).

# Size in MiB of a value such as 64M, 1G, 512K, 2GiB or a plain byte count.
mirrorfs_size_mib() {
  echo "$1" | awk '{
    v = toupper($0); sub(/I?B$/, "", v);
    n = v + 0; u = substr(v, length(v), 1);
    if (u == "K") n = n / 1024; else if (u == "M") n = n; else if (u == "G") n = n * 1024;
    else if (u == "T") n = n * 1048576; else n = n / 1048576;
    printf "%d", (n == int(n)) ? n : int(n) + 1 }'
}

mirrorfs_jvm_options() {
  _mfs_cache=256 _mfs_config=
  while [ $# -gt 0 ]; do
    case "$1" in
      --cache-size) _mfs_cache=$(mirrorfs_size_mib "$2"); shift ;;
      --cache-size=*) _mfs_cache=$(mirrorfs_size_mib "${1#*=}") ;;
      --config) _mfs_config=$2; shift ;;
      --config=*) _mfs_config=${1#*=} ;;
    esac
    shift
  done
  # A config file's cache-size applies when the command line gave none (the command line wins).
  if [ -n "$_mfs_config" ] && [ -r "$_mfs_config" ] && [ "$_mfs_cache" = 256 ]; then
    _mfs_file=$(sed -n 's/^[[:space:]]*cache-size[[:space:]]*=[[:space:]]*\([^[:space:]#]*\).*/\1/p' "$_mfs_config" | tail -n 1)
    [ -n "$_mfs_file" ] && _mfs_cache=$(mirrorfs_size_mib "$_mfs_file")
  fi
  echo "-Xmx$((_mfs_cache + 128))m -XX:+UseSerialGC -XX:ReservedCodeCacheSize=64m -XX:MaxMetaspaceSize=128m"
}
