#!/usr/bin/env bash
# Replication benchmark: two real appliances on loopback (primary -> DR), the same qemu clients
# as compare-tgt.sh, and the numbers issue 4 asks for:
#   1. replication lag (RPO) p50/p99/max under a steady 4 KiB write load at half the measured
#      maximum, and under 100 MB/s of 64 KiB writes (lag sampled from the primary's
#      tidemark_replication_lag_seconds every 100 ms);
#   2. time to export a point-in-time view (REST call, wall clock), for views at the newest and
#      the oldest point of the DR window;
#   3. view read throughput against the live volume (qemu-img bench reads, 64 KiB, QD16, same
#      count on both), printed as a ratio.
#
#   benchmarks/replication-bench.sh                 # ~3 min
#   benchmarks/replication-bench.sh --seconds 30    # longer steady phases
#   benchmarks/replication-bench.sh --out FILE      # also write the markdown table to FILE
set -Eeuo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SECONDS_PER_PHASE=${SECONDS_PER_PHASE:-20}
OUT_FILE=${OUT_FILE:-}
BASE_DIR=${BENCH_DIR:-/tmp}
VOLUME_SIZE=${VOLUME_SIZE:-2G}
RATE_64K_MBS=${RATE_64K_MBS:-100}
READY_TIMEOUT=${READY_TIMEOUT:-300}
KEEP=0

while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) SECONDS_PER_PHASE=$2; shift 2 ;;
    --out) OUT_FILE=$2; shift 2 ;;
    --dir) BASE_DIR=$2; shift 2 ;;
    --size) VOLUME_SIZE=$2; shift 2 ;;
    --rate-64k) RATE_64K_MBS=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) sed -n 2,16p "$0"; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
done

for tool in qemu-img qemu-io curl jq; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install qemu-utils qemu-block-extra curl jq)" >&2; exit 2; }
done

WORK=$(mktemp -d "$BASE_DIR/tidemark-repl-bench.XXXXXX")
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "$KEEP" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start NAME -> sets ${NAME}_ADMIN ${NAME}_ISCSI ${NAME}_REPL
start_appliance() {
  local name=$1 iscsi admin repl
  iscsi=$(free_port); admin=$(free_port); repl=$(free_port)
  mkdir -p "$WORK/$name"
  cat > "$WORK/$name.conf" <<EOF
appliance.name = $name
demo.volume.size = 0
iscsi.address = 127.0.0.1
replication.address = 127.0.0.1
EOF
  "$ROOT/tidemark" start --config "$WORK/$name.conf" --data "$WORK/$name" --iscsi-port "$iscsi" \
      --admin-port "$admin" --replication-port "$repl" > "$WORK/$name.log" 2>&1 &
  PIDS+=($!)
  local deadline=$((SECONDS + READY_TIMEOUT))
  until grep -q "Tidemark ready:" "$WORK/$name.log"; do
    if [ $SECONDS -gt $deadline ] || ! kill -0 "${PIDS[-1]}" 2>/dev/null; then
      echo "$name did not start; log:" >&2; tail -20 "$WORK/$name.log" >&2; exit 1
    fi
    sleep 0.2
  done
  printf -v "${name}_ADMIN" '%s' "127.0.0.1:$admin"
  printf -v "${name}_ISCSI" '%s' "127.0.0.1:$iscsi"
  printf -v "${name}_REPL" '%s' "127.0.0.1:$repl"
}

api() { # api ADMIN METHOD PATH [JSON]
  local admin=$1 method=$2 path=$3 body=${4:-}
  if [ -n "$body" ]; then
    curl -fsS -X "$method" -H 'Content-Type: application/json' -d "$body" "http://$admin/api/v1$path"
  else
    curl -fsS -X "$method" "http://$admin/api/v1$path"
  fi
}

wait_state() { # wait_state ADMIN GROUP STATE TIMEOUT_S
  local deadline=$((SECONDS + $4)) state=""
  while [ $SECONDS -le $deadline ]; do
    state=$(api "$1" GET "/groups/$2" | jq -r .state)
    [ "$state" = "$3" ] && return 0
    sleep 0.5
  done
  echo "group $2 did not reach state $3 within $4 s (last: $state)" >&2; exit 1
}

lag_sampler() { # lag_sampler ADMIN GROUP OUTFILE: one sample per 100 ms until killed
  while true; do
    curl -fsS "http://$1/metrics" 2>/dev/null \
      | awk -v g="group=\"$2\"" '/^tidemark_replication_lag_seconds/ && index($0, g) { print $NF; exit }' >> "$3" || true
    sleep 0.1
  done
}

percentiles() { # percentiles FILE -> "p50 p99 max n"
  sort -g "$1" | awk '{ v[NR] = $1 } END {
    if (NR == 0) { print "n/a n/a n/a 0"; exit }
    i50 = int(0.50 * NR); if (i50 < 1) i50 = 1; i99 = int(0.99 * NR); if (i99 < 1) i99 = 1;
    printf "%.3f %.3f %.3f %d\n", v[i50], v[i99], v[NR], NR }'
}

# steady_load URL BLOCK WRITES_PER_10MS SECONDS: qemu-io issues the writes asynchronously in
# batches every 10 ms (its 'sleep' keeps the event loop running), random 4K-aligned offsets.
steady_load() {
  local url=$1 bs=$2 per=$3 secs=$4 blocks script
  blocks=$(( $(numfmt --from=iec "$VOLUME_SIZE") / bs ))
  script="$WORK/load.$bs.txt"
  python3 - "$bs" "$per" "$secs" "$blocks" > "$script" <<'PY'
import random, sys
bs, per, secs, blocks = (int(a) for a in sys.argv[1:])
r = random.Random(7)
for tick in range(secs * 100):
    for _ in range(per):
        print(f"aio_write -q -P {tick % 250 + 1} {r.randrange(blocks) * bs} {bs}")
    print("sleep 10")
print("aio_flush")
PY
  qemu-io -f raw "$url" < "$script" > /dev/null
}

echo "scratch: $WORK"
start_appliance dr
start_appliance primary
echo "dr admin $dr_ADMIN, primary admin $primary_ADMIN"

token=$(api "$dr_ADMIN" POST /peers/token | jq -r .token)
api "$primary_ADMIN" POST /peers "{\"name\":\"dr\",\"address\":\"$dr_REPL\",\"token\":\"$token\"}" > /dev/null
api "$primary_ADMIN" POST /volumes "{\"name\":\"bench\",\"size\":\"$VOLUME_SIZE\"}" > /dev/null
api "$primary_ADMIN" POST /groups '{"name":"g","volumes":["bench"]}' > /dev/null
api "$primary_ADMIN" POST /groups/g/protect '{"peer":"dr","mode":"async"}' > /dev/null
wait_state "$primary_ADMIN" g protected 600
LIVE_URL=$(api "$primary_ADMIN" GET /volumes/bench | jq -r .url)
echo "protected; live volume $LIVE_URL"

# 1a. maximum 4K write IOPS (QD32), then lag at half of it
count=$((20000 * SECONDS_PER_PHASE / 10))
t0=$(date +%s.%N)
qemu-img bench -f raw -w -t none -n -c "$count" -d 32 -s 4096 -S 4096 "$LIVE_URL" > /dev/null
t1=$(date +%s.%N)
MAX_IOPS=$(awk -v c="$count" -v a="$t0" -v b="$t1" 'BEGIN { printf "%d", c / (b - a) }')
PER_10MS=$(( MAX_IOPS / 2 / 100 )); [ "$PER_10MS" -ge 1 ] || PER_10MS=1
echo "max 4K write IOPS (QD32): $MAX_IOPS; steady load: $((PER_10MS * 100)) IOPS for $SECONDS_PER_PHASE s"
wait_state "$primary_ADMIN" g protected 120
: > "$WORK/lag4k.txt"; lag_sampler "$primary_ADMIN" g "$WORK/lag4k.txt" & SAMPLER=$!
steady_load "$LIVE_URL" 4096 "$PER_10MS" "$SECONDS_PER_PHASE"
kill "$SAMPLER"; wait "$SAMPLER" 2>/dev/null || true
read -r L4_P50 L4_P99 L4_MAX L4_N < <(percentiles "$WORK/lag4k.txt")

# 1b. lag under RATE_64K_MBS MB/s of 64 KiB writes
PER_10MS_64=$(( RATE_64K_MBS * 1000000 / 65536 / 100 )); [ "$PER_10MS_64" -ge 1 ] || PER_10MS_64=1
: > "$WORK/lag64k.txt"; lag_sampler "$primary_ADMIN" g "$WORK/lag64k.txt" & SAMPLER=$!
t0=$(date +%s.%N)
steady_load "$LIVE_URL" 65536 "$PER_10MS_64" "$SECONDS_PER_PHASE"
t1=$(date +%s.%N)
kill "$SAMPLER"; wait "$SAMPLER" 2>/dev/null || true
ACHIEVED_64=$(awk -v n=$((PER_10MS_64 * 100 * SECONDS_PER_PHASE)) -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n * 65536 / (b - a) / 1e6 }')
read -r L64_P50 L64_P99 L64_MAX L64_N < <(percentiles "$WORK/lag64k.txt")

# 2. time to export a view (newest and oldest point), 3. view reads vs live reads
wait_state "$primary_ADMIN" g protected 120
cp=$(api "$primary_ADMIN" POST /groups/g/checkpoints '{"name":"bench-end"}' | jq -r .sequence)
deadline=$((SECONDS + 120))
until api "$dr_ADMIN" GET /groups/g/points | jq -e --argjson s "$cp" 'map(select(.sequence >= $s)) | length > 0' > /dev/null; do
  [ $SECONDS -le $deadline ] || { echo "checkpoint $cp never reached the DR" >&2; exit 1; }
  sleep 0.2
done
export_time() { curl -fsS -o "$WORK/view.json" -w '%{time_total}' -X POST -H 'Content-Type: application/json' \
  -d "$1" "http://$dr_ADMIN/api/v1/views"; }
T_NEW=$(export_time '{"group":"g","checkpoint":"bench-end"}')
VIEW=$(jq -r .view "$WORK/view.json"); VIEW_URL=$(jq -r '.volumes[0].url' "$WORK/view.json")
OLDEST=$(api "$dr_ADMIN" GET /groups/g | jq -r '.window.oldest.sequence')
T_OLD=$(export_time "{\"group\":\"g\",\"seq\":$OLDEST}")
api "$dr_ADMIN" DELETE "/views/$(jq -r .view "$WORK/view.json")" > /dev/null

rcount=$((4000 * SECONDS_PER_PHASE / 10))
read_mbs() { local a b; a=$(date +%s.%N)
  qemu-img bench -f raw -t none -n -c "$rcount" -d 16 -s 65536 -S 65536 "$1" > /dev/null
  b=$(date +%s.%N); awk -v c="$rcount" -v a="$a" -v b="$b" 'BEGIN { printf "%.0f", c * 65536 / (b - a) / 1e6 }'; }
R_LIVE=$(read_mbs "$LIVE_URL"); R_VIEW=$(read_mbs "$VIEW_URL")
R_LIVE2=$(read_mbs "$LIVE_URL"); R_VIEW2=$(read_mbs "$VIEW_URL")
api "$dr_ADMIN" DELETE "/views/$VIEW" > /dev/null

table=$(cat <<EOF
| measurement | value |
|---|---|
| max 4 KiB write IOPS, QD32 (journaled, protected) | $MAX_IOPS |
| lag at $((PER_10MS * 100)) IOPS of 4 KiB writes: p50 / p99 / max (s, $L4_N samples) | $L4_P50 / $L4_P99 / $L4_MAX |
| lag at ${ACHIEVED_64} MB/s of 64 KiB writes (aim $RATE_64K_MBS): p50 / p99 / max (s, $L64_N samples) | $L64_P50 / $L64_P99 / $L64_MAX |
| export a view at the newest checkpoint (s) | $T_NEW |
| export a view at the oldest point of the window (s) | $T_OLD |
| 64 KiB QD16 reads, live volume / view (MB/s, two alternating runs) | $R_LIVE, $R_LIVE2 / $R_VIEW, $R_VIEW2 |
| view reads / live reads | $(awk -v a=$((R_VIEW + R_VIEW2)) -v b=$((R_LIVE + R_LIVE2)) 'BEGIN { printf "%.2fx", a / b }') |
EOF
)
echo
echo "$table"
if [ -n "$OUT_FILE" ]; then
  { echo "# benchmarks/replication-bench.sh --seconds $SECONDS_PER_PHASE ($(date -u +%FT%TZ), $(nproc) cores)"; echo; echo "$table"; } > "$OUT_FILE"
fi
