#!/usr/bin/env bash
# Page-cache write rate into memory the guest has just freed ("hot") against memory that has
# stayed free for a while ("cold"), on the file system of DIR. On a VM whose balloon driver
# reports free pages to the host (virtio-balloon free page reporting, as on these Firecracker
# machines), cold pages must be faulted in again by the host: every journal append that lands
# on a new page-cache page pays that, while a target writing into an already-cached image does
# not. Read benchmark results (compare-tgt.sh, run-jmh.sh) with these two figures beside them.
#
#   benchmarks/page-cache-probe.sh [--dir DIR] [--mib N] [--idle S] [--rounds R]
set -Eeuo pipefail

DIR=${BENCH_DIR:-/tmp}
MIB=512
IDLE=8
ROUNDS=2
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) DIR=$2; shift 2 ;;
    --mib) MIB=$2; shift 2 ;;
    --idle) IDLE=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "page-cache-probe.sh: unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
done

features=$(cat /sys/bus/virtio/drivers/virtio_balloon/virtio*/features 2>/dev/null | head -1 || true)
# bit 5 of the virtio-balloon feature string (leftmost character = bit 0) is FREE_PAGE_REPORTING
reporting=unknown
[ -n "$features" ] && { [ "${features:5:1}" = 1 ] && reporting=on || reporting=off; }
echo "free page reporting (virtio-balloon): $reporting; writes of $MIB MiB into $DIR, $ROUNDS rounds"

rate() { # rate FILE: MB/s of one dd into the page cache (no sync), the file removed afterwards
  local out
  out=$(dd if=/dev/zero of="$1" bs=1M count="$MIB" 2>&1 | tail -n 1)
  rm -f "$1"
  awk -F', ' '{ print $NF }' <<<"$out"
}

for ((r = 1; r <= ROUNDS; r++)); do
  sleep "$IDLE" # let freed memory go cold (the kernel reports free pages after ~2 s)
  cold=$(rate "$DIR/page-cache-probe.$$.a")
  hot=$(rate "$DIR/page-cache-probe.$$.b")   # reuses the pages the first file just freed
  echo "round $r: after ${IDLE}s idle (cold pages) $cold; right after freeing (hot pages) $hot"
done
