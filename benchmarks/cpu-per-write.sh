#!/usr/bin/env bash
# Server CPU per write, per thread: runs tgt and Tidemark one after the other (alternating for
# --rounds), each with a fresh 1 GiB LUN, the same qemu-img bench write load (untimed warm-up,
# then a measured run), and reads the server's CPU time from /proc before and after the
# measured run, summed per thread name. CPU per operation is steadier than IOPS on a shared,
# noisy machine, and the per-thread split shows where a write's cost goes.
#
#   benchmarks/cpu-per-write.sh                        # 4 KiB, QD32, 2 rounds
#   benchmarks/cpu-per-write.sh --bs 65536 --qd 16 --count 30000
#   benchmarks/cpu-per-write.sh --hot                  # free 1.2 GB of page cache just before
#                                                      # each measured run (see page-cache-probe.sh)
#   benchmarks/cpu-per-write.sh --only tidemark        # or tgt
# Environment: TIDEMARK_BUILD (launcher build dir), BENCH_DIR (scratch parent, default /tmp).
set -Eeuo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BS=4096
QD=32
COUNT=150000
WARM=200000
ROUNDS=2
HOT=0
ONLY="tgt,tidemark"
BASE_DIR=${BENCH_DIR:-/tmp}
while [ $# -gt 0 ]; do
  case "$1" in
    --bs) BS=$2; shift 2 ;;
    --qd) QD=$2; shift 2 ;;
    --count) COUNT=$2; shift 2 ;;
    --warm) WARM=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --hot) HOT=1; shift ;;
    --only) ONLY=$2; shift 2 ;;
    --dir) BASE_DIR=$2; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "cpu-per-write.sh: unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
done

die() { echo "cpu-per-write.sh: FAILED: $*" >&2; exit 1; }
for tool in qemu-img tgtd tgtadm curl ss; do command -v "$tool" >/dev/null || die "$tool not found"; done
WORK=$(mktemp -d "$BASE_DIR/cpu-per-write.XXXXXX")
SERVER=""
cleanup() {
  [ -n "$SERVER" ] && kill -9 "$SERVER" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { local p; for p in $(shuf -i 20000-60000 -n 50); do [ -z "$(ss -Htln "sport = :$p")" ] && { echo "$p"; return; }; done; die "no free port"; }

# snapshot PID FILE: "thread-name ticks" per thread (utime + stime), digits in names folded to N
snapshot() { # one awk over every thread's stat file: quick, so --hot's freed memory is still hot after it
  awk '{ s = $0; name = substr(s, index(s, "(") + 1); name = substr(name, 1, index(name, ")") - 1)
         rest = substr(s, index(s, ")") + 2); split(rest, f, " "); gsub(/[0-9]+/, "N", name); gsub(/ /, "_", name)
         print FILENAME, name, f[12] + f[13] }' /proc/"$1"/task/*/stat 2>/dev/null >"$2" || true
}

# report LABEL BEFORE AFTER SECONDS: CPU us per op in total and for the busiest thread names
report() {
  local hz
  hz=$(getconf CLK_TCK)
  awk -v label="$1" -v n="$COUNT" -v hz="$hz" -v secs="$4" '
    FNR == NR { before[$1] = $3; next }
    { cpu[$2] += $3 - before[$1]; total += $3 - before[$1] }
    END {
      us = 1e6 / hz / n
      printf "%-9s %7.0f IOPS  server CPU %6.1f us/op:", label, n / secs, total * us
      k = 0
      while (k < 5) { best = ""; for (t in cpu) if (best == "" || cpu[t] > cpu[best]) best = t
                      if (best == "" || cpu[best] <= 0) break
                      printf " %s %.1f", best, cpu[best] * us; delete cpu[best]; k++ }
      printf "\n"
    }' "$2" "$3"
}

bench() { # bench URL PID LABEL
  local url=$1 pid=$2 label=$3 start end
  qemu-img bench -f raw -t none -c "$WARM" -d "$QD" -s "$BS" -w "$url" >/dev/null || die "$label: warm-up failed"
  if [ "$HOT" = 1 ]; then
    dd if=/dev/zero of="$WORK/hot.tmp" bs=1M count=1200 2>/dev/null
    rm -f "$WORK/hot.tmp"
  fi
  snapshot "$pid" "$WORK/before"
  start=$(date +%s.%N)
  qemu-img bench -f raw -t none -c "$COUNT" -d "$QD" -s "$BS" -w -o $(( (WARM * BS) % (1 << 30) )) "$url" >/dev/null \
    || die "$label: measured run failed"
  end=$(date +%s.%N)
  snapshot "$pid" "$WORK/after"
  report "$label" "$WORK/before" "$WORK/after" "$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')"
}

run_tgt() {
  local port img="$WORK/tgt.img" sock="$WORK/tgt.sock" iqn=iqn.2026-11.io.tidemark.bench:cpu
  port=$(free_port)
  rm -f "$img"; truncate -s 1G "$img"
  TGT_IPC_SOCKET=$sock setsid tgtd -f -C 9 --iscsi "portal=127.0.0.1:$port" >"$WORK/tgt.log" 2>&1 &
  SERVER=$!
  local i
  for ((i = 0; i < 100; i++)); do [ -n "$(ss -Htln "sport = :$port")" ] && break; sleep 0.1; done
  local adm=(env TGT_IPC_SOCKET="$sock" tgtadm -C 9 --lld iscsi)
  "${adm[@]}" --op new --mode target --tid 1 -T "$iqn" && "${adm[@]}" --op new --mode logicalunit --tid 1 --lun 1 \
    --bstype rdwr -b "$img" && "${adm[@]}" --op bind --mode target --tid 1 -I ALL || die "tgtadm failed"
  bench "iscsi://127.0.0.1:$port/$iqn/1" "$SERVER" tgt
  kill -9 "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=""
}

run_tidemark() {
  local port admin data="$WORK/tidemark" cfg="$WORK/tidemark.conf"
  port=$(free_port); admin=$(free_port)
  rm -rf "$data"; mkdir -p "$data"
  printf 'iscsi.address = 127.0.0.1\nadmin.address = 127.0.0.1\ndemo.volume.size = 0\n' >"$cfg"
  (cd "$ROOT" && exec setsid ./tidemark start --config "$cfg" --data "$data" --iscsi-port "$port" --admin-port "$admin") \
    >"$WORK/tidemark.log" 2>&1 &
  SERVER=$!
  local i
  for ((i = 0; i < 3000; i++)); do
    grep -q 'Tidemark ready:' "$WORK/tidemark.log" 2>/dev/null && break
    kill -0 "$SERVER" 2>/dev/null || { tail -n 20 "$WORK/tidemark.log" >&2; die "Tidemark exited before it was ready"; }
    sleep 0.2
  done
  grep -q 'Tidemark ready:' "$WORK/tidemark.log" || { tail -n 20 "$WORK/tidemark.log" >&2; die "Tidemark not ready"; }
  curl -fsS -X POST -H 'Content-Type: application/json' -d '{"name":"bench","size":"1G"}' \
    "http://127.0.0.1:$admin/api/v1/volumes" >/dev/null || die "volume create failed"
  local pid
  pid=$(pgrep -f "io.tidemark.appliance.Main.*$data" | head -1)
  [ -n "$pid" ] || die "no appliance JVM found"
  bench "iscsi://127.0.0.1:$port/iqn.2026-11.io.tidemark:bench/0" "$pid" Tidemark
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=""
}

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'): ${BS}-byte writes, QD $QD, $WARM warm-up + $COUNT measured per run$([ "$HOT" = 1 ] && echo ', hot page cache'); load $(cut -d' ' -f1-3 /proc/loadavg)"
for ((r = 1; r <= ROUNDS; r++)); do
  order="tgt tidemark"; ((r % 2)) || order="tidemark tgt"
  for t in $order; do
    [[ ",$ONLY," == *",$t,"* ]] || continue
    "run_$t"
  done
done
