#!/usr/bin/env bash
# Side-by-side block I/O benchmark: the same clients (qemu-img bench, iscsi-perf) against tgt
# and against a real Tidemark appliance, on one machine and one file system, in one run.
#
# Why a script and not a Java main: everything it drives is an external process (tgtd, tgtadm,
# ./tidemark, qemu-img, iscsi-perf, curl); a shell with a cleanup trap is the least code for that,
# and it keeps an extra JVM from competing for the CPUs the targets under test need.
#
#   benchmarks/compare-tgt.sh                  # tgt vs Tidemark, 3 rounds, ~10 s per run (~8 min)
#   benchmarks/compare-tgt.sh --self-test      # tgt vs a second tgt: every ratio should be ~1.0
#   benchmarks/compare-tgt.sh --quick          # 1 round, ~3 s per run (smoke test)
#   benchmarks/compare-tgt.sh --help           # every option
set -Eeuo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SELF="benchmarks/compare-tgt.sh"

# ---------------------------------------------------------------------------------------------
# options (flags beat the environment)
ROUNDS=${ROUNDS:-3}
RUN_SECONDS=${RUN_SECONDS:-10}
WARMUP_RUNS=${WARMUP_RUNS:-1}
SLOT_B=${SLOT_B:-tidemark}
BASE_DIR=${BENCH_DIR:-/tmp}
OUT_FILE=${OUT_FILE:-}
TGT_BSOFLAGS=${TGT_BSOFLAGS:-}
TIDEMARK_DIRECT_IO=${TIDEMARK_DIRECT_IO:-}
TIDEMARK_CMD=${TIDEMARK_CMD:-$ROOT/tidemark}
READY_TIMEOUT=${READY_TIMEOUT:-300}
ONLY=${ONLY:-}
KEEP=0

usage() {
  cat <<EOF
usage: $SELF [options]
  --rounds N              rounds per workload; odd rounds run tgt first, even rounds Tidemark
                          first, so order effects cancel (default $ROUNDS)
  --seconds S             aim of each timed run, in seconds; qemu-img counts are calibrated on tgt
                          to this and reused unchanged for both targets (default $RUN_SECONDS)
  --quick                 --rounds 1 --seconds 3
  --self-test             slot B is a second tgt instead of Tidemark (ratios should be ~1.0)
  --dir DIR               parent of the scratch directory holding both backing files (default $BASE_DIR)
  --only LIST             comma-separated subset of: w4k,r4k,w64k,r64k,rr4k
  --out FILE              also write the result table (markdown) to FILE
  --tgt-bsoflags FLAGS    tgt rdwr backing-store flags: direct or sync (default: none, buffered)
  --tidemark-direct-io B  store.direct-io for the appliance: true or false (default: its own default)
  --tidemark CMD          launcher to run (default $ROOT/tidemark)
  --ready-timeout S       how long to wait for 'Tidemark ready:' (default $READY_TIMEOUT; includes a
                          first-use build by the launcher)
  --warmup-runs N          untimed runs of each workload on each target before round 1, so that
                          a JIT-compiled target (Tidemark) is measured warm, as it runs in service
                          (default $WARMUP_RUNS; 0: none, as before 2026-11-22)
  --keep                  keep the scratch directory (logs, backing files) after the run
Environment variables of the same names in capitals (ROUNDS, RUN_SECONDS, SLOT_B, BENCH_DIR,
OUT_FILE, TGT_BSOFLAGS, TIDEMARK_DIRECT_IO, TIDEMARK_CMD, READY_TIMEOUT, ONLY, WARMUP_RUNS) set the defaults.
EOF
}

while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS=$2; shift 2 ;;
    --seconds) RUN_SECONDS=$2; shift 2 ;;
    --quick) ROUNDS=1; RUN_SECONDS=3; shift ;;
    --self-test) SLOT_B=tgt; shift ;;
    --dir) BASE_DIR=$2; shift 2 ;;
    --only) ONLY=$2; shift 2 ;;
    --out) OUT_FILE=$2; shift 2 ;;
    --tgt-bsoflags) TGT_BSOFLAGS=$2; shift 2 ;;
    --tidemark-direct-io) TIDEMARK_DIRECT_IO=$2; shift 2 ;;
    --tidemark) TIDEMARK_CMD=$2; shift 2 ;;
    --ready-timeout) READY_TIMEOUT=$2; shift 2 ;;
    --warmup-runs) WARMUP_RUNS=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "$SELF: unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
done

die() { echo "$SELF: FAILED: $*" >&2; exit 1; }
log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "--rounds: $ROUNDS (expected: an integer >= 1)"
[[ $RUN_SECONDS =~ ^[1-9][0-9]*$ ]] || die "--seconds: $RUN_SECONDS (expected: an integer >= 1)"
case "$SLOT_B" in tidemark|tgt) ;; *) die "slot B: $SLOT_B (expected: tidemark or tgt)" ;; esac
case "$TGT_BSOFLAGS" in ''|direct|sync) ;; *) die "--tgt-bsoflags: $TGT_BSOFLAGS (expected: direct or sync)" ;; esac
case "$TIDEMARK_DIRECT_IO" in ''|true|false) ;; *) die "--tidemark-direct-io: $TIDEMARK_DIRECT_IO (expected: true or false)" ;; esac
for tool in tgtd tgtadm qemu-img iscsi-perf curl jq ss setsid timeout awk; do
  command -v "$tool" >/dev/null || die "$tool not found (Debian packages: tgt, qemu-utils, libiscsi-bin, curl, jq)"
done
[ -d "$BASE_DIR" ] || die "--dir: $BASE_DIR does not exist"

# ---------------------------------------------------------------------------------------------
# workloads: one row each -- name | client | block size | queue depth | description
WORKLOADS=(
  "w4k|qemu-img|4096|32|qemu-img bench 4 KiB sequential writes, QD 32"
  "r4k|qemu-img|4096|32|qemu-img bench 4 KiB sequential reads, QD 32"
  "w64k|qemu-img|65536|16|qemu-img bench 64 KiB sequential writes, QD 16"
  "r64k|qemu-img|65536|16|qemu-img bench 64 KiB sequential reads, QD 16"
  "rr4k|iscsi-perf|4096|32|iscsi-perf -r 4 KiB random reads, QD 32"
)
# the issue's goals: Tidemark/tgt at least 1.5x on 4 KiB IOPS, at least 1.0x on 64 KiB MB/s
declare -A GOAL=([w4k]=1.5 [r4k]=1.5 [w64k]=1.0 [r64k]=1.0 [rr4k]=1.5)
# first, untimed, calibration count per block size
declare -A PROBE_COUNT=([4096]=20000 [65536]=4000)

LUN_BYTES=$((1024 * 1024 * 1024))
WRITE_PATTERN=0xa5            # not zero: a target must not get to skip zero writes
PREFILL_PATTERN=0x5a

# ---------------------------------------------------------------------------------------------
# process bookkeeping and cleanup: everything started here is recorded and stopped in the trap
WORK=""
declare -A PID=()             # slot -> pid (own session/process group, via setsid)
declare -A KIND=()            # slot -> tgt | tidemark
declare -A PORT=()            # slot -> iSCSI port
declare -A CTL=()             # slot -> tgt control port
declare -A ADMIN=()           # slot -> Tidemark admin port
declare -A URL=()             # slot -> iscsi:// URL of the 1 GiB LUN
declare -A LABEL=()           # slot -> column label
CLIENT_PID=""
USED_PORTS=" "
FREE_PORT=""
IOPS=0
MIBS=0
declare -A COUNT=()           # workload -> qemu-img request count, the same for both slots
declare -A RESULTS=()         # workload+slot -> the IOPS of each round, space-separated
RUN_LINES=""                  # every timed run, in the order it ran

alive() { # alive PID: running, not just a zombie waiting for this shell to reap it
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [ "${stat%% *}" != Z ]
}

stop_group() { # stop_group PID SECONDS: TERM the process group, wait, then KILL it
  local pid=$1 grace=$2 i
  alive "$pid" || return 0
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < grace * 10; i++)); do
    alive "$pid" || return 0
    sleep 0.1
  done
  log "pid $pid did not stop within ${grace}s of SIGTERM: SIGKILL"
  kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$? slot
  trap - EXIT INT TERM
  set +e
  if [ -n "$CLIENT_PID" ]; then stop_group "$CLIENT_PID" 2; fi
  for slot in "${!PID[@]}"; do
    if [ "${KIND[$slot]}" = tgt ]; then
      # tgtd ignores SIGTERM while it has targets: drop the target, then ask the daemon to exit
      TGT_IPC_SOCKET="$WORK/tgt-$slot.sock" timeout 5 tgtadm -C "${CTL[$slot]}" --op delete --mode target --tid 1 --force >/dev/null 2>&1
      TGT_IPC_SOCKET="$WORK/tgt-$slot.sock" timeout 5 tgtadm -C "${CTL[$slot]}" --op delete --mode system >/dev/null 2>&1
      stop_group "${PID[$slot]}" 5
      wait "${PID[$slot]}" 2>/dev/null
    else
      stop_group "${PID[$slot]}" 30   # SIGTERM: the appliance logs sessions out and flushes
      local status=0
      wait "${PID[$slot]}" 2>/dev/null || status=$?
      [ "$status" = 0 ] || log "slot $slot: Tidemark exited with status $status after SIGTERM (the contract says 0)"
    fi
  done
  if [ -n "$WORK" ] && [ -d "$WORK" ]; then
    if [ "$rc" != 0 ]; then
      local f
      for f in "$WORK"/*.log; do [ -s "$f" ] && { echo "--- last lines of $f" >&2; tail -n 15 "$f" >&2; }; done
    fi
    if [ "$KEEP" = 1 ]; then log "kept $WORK (--keep)"; else
      rm -rf "$WORK"
      [ "$rc" != 0 ] && log "removed $WORK (logs above; --keep keeps it)"
    fi
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() { # sets FREE_PORT: a TCP port no socket uses and this run has not handed out yet
  local p i low
  # below the ephemeral range, so no client connection can be holding it as its local port
  read -r low _ </proc/sys/net/ipv4/ip_local_port_range
  ((low > 12000)) || low=32768
  for ((i = 0; i < 100; i++)); do
    p=$((10000 + RANDOM % (low - 10000)))
    [[ $USED_PORTS == *" $p "* ]] && continue
    if [ -z "$(ss -Htan "sport = :$p")" ]; then USED_PORTS+="$p "; FREE_PORT=$p; return; fi
  done
  die "no free TCP port found in 10000..$((low - 1)) after 100 tries"
}

wait_listening() { # wait_listening SLOT PORT SECONDS LOGFILE
  local slot=$1 port=$2 secs=$3 logf=$4 i
  for ((i = 0; i < secs * 10; i++)); do
    alive "${PID[$slot]}" || { tail -n 30 "$logf" >&2; die "slot $slot exited before listening on port $port"; }
    [ -n "$(ss -Htln "sport = :$port")" ] && return 0
    if grep -q 'unable to bind' "$logf"; then tail -n 5 "$logf" >&2; die "slot $slot could not bind 127.0.0.1:$port"; fi
    sleep 0.1
  done
  tail -n 30 "$logf" >&2
  die "slot $slot: nothing listens on 127.0.0.1:$port after ${secs}s"
}

# ---------------------------------------------------------------------------------------------
# targets
start_tgt() { # start_tgt SLOT: private tgtd (own IPC socket, own portal), 1 GiB rdwr LUN 1
  local slot=$1
  local img="$WORK/tgt-$slot.img" logf="$WORK/tgt-$slot.log" sock="$WORK/tgt-$slot.sock"
  local iqn="iqn.2026-11.io.tidemark.bench:tgt-${slot,,}"
  KIND[$slot]=tgt
  free_port; PORT[$slot]=$FREE_PORT
  CTL[$slot]=$(( ${#CTL[@]} + 1 ))   # only names the IPC socket ($sock.N), which is private to this run
  truncate -s "$LUN_BYTES" "$img"
  TGT_IPC_SOCKET=$sock setsid tgtd -f -C "${CTL[$slot]}" --iscsi "portal=127.0.0.1:${PORT[$slot]}" >"$logf" 2>&1 &
  PID[$slot]=$!
  wait_listening "$slot" "${PORT[$slot]}" 15 "$logf"
  local adm=(env TGT_IPC_SOCKET="$sock" tgtadm -C "${CTL[$slot]}" --lld iscsi)
  local lun=("${adm[@]}" --op new --mode logicalunit --tid 1 --lun 1 --bstype rdwr -b "$img")
  [ -n "$TGT_BSOFLAGS" ] && lun+=(--bsoflags "$TGT_BSOFLAGS")
  "${adm[@]}" --op new --mode target --tid 1 -T "$iqn" >>"$logf" 2>&1 || die "tgtadm: creating target $iqn failed"
  "${lun[@]}" >>"$logf" 2>&1 || die "tgtadm: adding LUN 1 backed by $img failed"
  "${adm[@]}" --op bind --mode target --tid 1 -I ALL >>"$logf" 2>&1 || die "tgtadm: binding target $iqn failed"
  URL[$slot]="iscsi://127.0.0.1:${PORT[$slot]}/$iqn/1"
  LABEL[$slot]="tgt${TGT_BSOFLAGS:+ ($TGT_BSOFLAGS)}"
  log "slot $slot: tgtd pid ${PID[$slot]} (tgt $(tgtd -V 2>/dev/null | head -1), rdwr${TGT_BSOFLAGS:+ $TGT_BSOFLAGS}) serving ${URL[$slot]}"
}

start_tidemark() { # start_tidemark SLOT: real appliance process, no demo volume, 1 GiB volume via REST
  local slot=$1
  local data="$WORK/tidemark-$slot" logf="$WORK/tidemark-$slot.log" cfg="$WORK/tidemark-$slot.conf"
  KIND[$slot]=tidemark
  free_port; PORT[$slot]=$FREE_PORT
  free_port; ADMIN[$slot]=$FREE_PORT
  mkdir -p "$data"
  {
    echo "# written by $SELF"
    echo "iscsi.address = 127.0.0.1"
    echo "admin.address = 127.0.0.1"
    echo "demo.volume.size = 0"
    [ -n "$TIDEMARK_DIRECT_IO" ] && echo "store.direct-io = $TIDEMARK_DIRECT_IO"
    # more appliance config lines (e.g. journal.wait-strategy = yielding), one per line
    [ -n "${TIDEMARK_EXTRA_CONFIG:-}" ] && printf '%s\n' "$TIDEMARK_EXTRA_CONFIG"
  } >"$cfg"
  [ -x "$TIDEMARK_CMD" ] || die "Tidemark launcher $TIDEMARK_CMD is missing or not executable"
  ( cd "$ROOT" && exec setsid "$TIDEMARK_CMD" start --config "$cfg" --data "$data" \
      --iscsi-port "${PORT[$slot]}" --admin-port "${ADMIN[$slot]}" ) >"$logf" 2>&1 &
  PID[$slot]=$!
  log "slot $slot: started Tidemark (pid ${PID[$slot]}, iSCSI ${PORT[$slot]}, admin ${ADMIN[$slot]}); waiting up to ${READY_TIMEOUT}s for 'Tidemark ready:'"
  local i
  for ((i = 0; i < READY_TIMEOUT * 5; i++)); do
    grep -q 'Tidemark ready:' "$logf" 2>/dev/null && break
    alive "${PID[$slot]}" || die "Tidemark exited before it was ready (its log follows)"
    sleep 0.2
  done
  grep -q 'Tidemark ready:' "$logf" || { tail -n 40 "$logf" >&2; die "Tidemark not ready after ${READY_TIMEOUT}s"; }
  curl -fsS -m 10 "http://127.0.0.1:${ADMIN[$slot]}/api/v1/health" >/dev/null \
    || die "Tidemark says ready but GET /api/v1/health on admin port ${ADMIN[$slot]} fails"
  local body
  body=$(curl -sS -m 30 -w '\n%{http_code}' -X POST -H 'Content-Type: application/json' \
    -d '{"name":"bench","size":"1G"}' "http://127.0.0.1:${ADMIN[$slot]}/api/v1/volumes") \
    || die "POST /api/v1/volumes failed to connect"
  local code=${body##*$'\n'}
  body=${body%$'\n'*}
  [ "$code" = 201 ] || die "POST /api/v1/volumes {\"name\":\"bench\",\"size\":\"1G\"} answered $code: $body"
  local url
  url=$(jq -r '.url // empty' <<<"$body")
  [ -n "$url" ] || die "volume JSON has no url: $body"
  # the advertised host may be any local address; the clients always use loopback
  URL[$slot]=$(sed -E "s#^iscsi://[^/]+/#iscsi://127.0.0.1:${PORT[$slot]}/#" <<<"$url")
  LABEL[$slot]="Tidemark"
  log "slot $slot: Tidemark volume bench ($(jq -r '.sizeBytes' <<<"$body") bytes at $(jq -r '.path' <<<"$body")) serving ${URL[$slot]}"
}

check_lun() { # the LUN logs in and has the expected size, or the run stops here
  local slot=$1 size
  size=$(timeout 30 qemu-img info -f raw --output=json "${URL[$slot]}" 2>"$WORK/info-$slot.err" | jq -r '."virtual-size"') \
    || { cat "$WORK/info-$slot.err" >&2; die "slot $slot (${LABEL[$slot]}): qemu-img info ${URL[$slot]} failed: no login"; }
  [ "$size" = "$LUN_BYTES" ] || die "slot $slot (${LABEL[$slot]}): LUN size $size (expected: $LUN_BYTES)"
}

# ---------------------------------------------------------------------------------------------
# clients
run_client() { # run_client TIMEOUT OUTFILE CMD...: in its own process group so the trap can stop it
  local secs=$1 out=$2; shift 2
  setsid timeout "$secs" "$@" >"$out" 2>&1 &
  CLIENT_PID=$!
  local rc=0
  wait "$CLIENT_PID" || rc=$?
  CLIENT_PID=""
  return "$rc"
}

qemu_cmd() { # qemu_cmd NAME BS QD COUNT URL -> the exact command line, one word per line
  local name=$1 bs=$2 qd=$3 count=$4 url=$5
  local cmd=(qemu-img bench -f raw -t none -c "$count" -d "$qd" -s "$bs")
  [[ $name == w* ]] && cmd+=(-w "--pattern=$WRITE_PATTERN")
  cmd+=("$url")
  printf '%s\n' "${cmd[@]}"
}

# one timed run; sets IOPS and MIBS (globals: a subshell would hide the client pid from the trap)
measure() { # measure NAME CLIENT BS QD COUNT SLOT
  local name=$1 client=$2 bs=$3 qd=$4 count=$5 slot=$6 out="$WORK/run.out" cmd
  if [ "$client" = qemu-img ]; then
    mapfile -t cmd < <(qemu_cmd "$name" "$bs" "$qd" "$count" "${URL[$slot]}")
    run_client $((RUN_SECONDS * 20 + 60)) "$out" "${cmd[@]}" \
      || { cat "$out" >&2; die "$name on slot $slot (${LABEL[$slot]}) failed or timed out: ${cmd[*]}"; }
    local secs
    secs=$(awk '/Run completed in/ { print $4 }' "$out")
    [ -n "$secs" ] || { cat "$out" >&2; die "$name on slot $slot: no 'Run completed in' from qemu-img"; }
    read -r IOPS MIBS < <(awk -v c="$count" -v bs="$bs" -v s="$secs" 'BEGIN { printf "%.0f %.1f\n", c / s, c * bs / s / 1048576 }')
  else
    cmd=(iscsi-perf -r -t "$RUN_SECONDS" -m "$qd" -b "$((bs / 512))" "${URL[$slot]}")
    run_client $((RUN_SECONDS + 60)) "$out" "${cmd[@]}" \
      || { tr '\r' '\n' <"$out" | tail -n 5 >&2; die "$name on slot $slot (${LABEL[$slot]}) failed: ${cmd[*]}"; }
    local avg
    # progress lines are \r-separated; the last "iops average N" is the whole-run figure
    avg=$(tr '\r' '\n' <"$out" | awk '/iops average/ { for (i = 1; i < NF; i++) if ($i == "average") v = $(i + 1) } END { print v }')
    [ -n "$avg" ] || { tr '\r' '\n' <"$out" | tail -n 5 >&2; die "$name on slot $slot: no 'iops average' from iscsi-perf"; }
    read -r IOPS MIBS < <(awk -v i="$avg" -v bs="$bs" 'BEGIN { printf "%.0f %.1f\n", i, i * bs / 1048576 }')
  fi
}

calibrate() { # calibrate NAME BS QD: sets COUNT[NAME], a request count taking about RUN_SECONDS on slot A
  local name=$1 bs=$2 qd=$3 probe=${PROBE_COUNT[$2]}
  measure "$name" qemu-img "$bs" "$qd" "$probe" A
  COUNT[$name]=$(awk -v i="$IOPS" -v s="$RUN_SECONDS" -v p="$probe" 'BEGIN { c = i * s; c = int((c + 999) / 1000) * 1000; if (c < p) c = p; print c }')
}

prefill() { # every block written once, untimed: reads never hit holes, writes never allocate
  local slot=$1 cmd
  mapfile -t cmd < <(qemu_cmd w64k 65536 16 $((LUN_BYTES / 65536)) "${URL[$slot]}")
  cmd=("${cmd[@]/--pattern=$WRITE_PATTERN/--pattern=$PREFILL_PATTERN}")
  run_client 600 "$WORK/prefill-$slot.out" "${cmd[@]}" \
    || { cat "$WORK/prefill-$slot.out" >&2; die "prefill of slot $slot (${LABEL[$slot]}) failed: ${cmd[*]}"; }
}

busy_processes() { # other processes using >= 5% of a CPU, sampled over one second
  top -b -n 2 -d 1 -o %CPU | awk '/^top -/ { frame++ }
    frame == 2 && $1 ~ /^[0-9]+$/ && $9 + 0 >= 5 { printf "%s%s %s%%", sep, $12, $9; sep = ", " }
    END { print sep ? "" : "none" }'
}

conditions() {
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); host: $(uname -srm); CPUs: $(nproc) x $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)"
  echo "- memory: $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo); load average before: $LOAD_BEFORE, after: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- backing file system: $(df -PT "$WORK" | awk 'NR == 2 { print $2 " on " $1 " mounted at " $7 }') (scratch dir $WORK, both targets)"
  echo "- tgt: $(tgtd -V 2>/dev/null | head -1), rdwr backing store, flags: ${TGT_BSOFLAGS:-none (buffered, page cache)}"
  if [ "$SLOT_B" = tidemark ]; then
    echo "- Tidemark: $TIDEMARK_CMD, store.direct-io = ${TIDEMARK_DIRECT_IO:-default (false: page cache + fdatasync)}; $(java -version 2>&1 | head -1)"
    echo "- Tidemark log: $(grep -c ' WARN ' "$WORK/tidemark-B.log" || true) WARN and $(grep -c ' ERROR ' "$WORK/tidemark-B.log" || true) ERROR lines; store: $(grep -o 'volume store [^ ]*bench.img: .*' "$WORK/tidemark-B.log" | head -1 | sed 's/^volume store [^ ]*: //')"
  fi
  echo "- clients: $(qemu-img --version | head -1); libiscsi-bin $(dpkg-query -W -f='${Version}' libiscsi-bin 2>/dev/null || echo '?')"
  echo "- busy processes (% of one CPU over 1 s) before the run: $BUSY_BEFORE; after it: $BUSY_AFTER"
}

# ---------------------------------------------------------------------------------------------
main() {
  WORK=$(mktemp -d "$BASE_DIR/tidemark-bench.XXXXXX")
  LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
  BUSY_BEFORE=$(busy_processes)
  log "scratch dir $WORK on $(df -PT "$WORK" | awk 'NR == 2 { print $2 " " $1 }')"

  start_tgt A
  if [ "$SLOT_B" = tgt ]; then start_tgt B; LABEL[B]="${LABEL[B]} #2"; else start_tidemark B; fi
  check_lun A
  check_lun B
  log "prefilling both 1 GiB LUNs (64 KiB writes, untimed)"
  prefill A
  prefill B

  local row name client bs qd desc selected=()
  for row in "${WORKLOADS[@]}"; do
    IFS='|' read -r name client bs qd desc <<<"$row"
    if [ -z "$ONLY" ] || [[ ",$ONLY," == *",$name,"* ]]; then selected+=("$row"); fi
  done
  [ ${#selected[@]} -gt 0 ] || die "--only: $ONLY matches none of w4k,r4k,w64k,r64k,rr4k"

  for row in "${selected[@]}"; do
    IFS='|' read -r name client bs qd desc <<<"$row"
    if [ "$client" = qemu-img ]; then
      calibrate "$name" "$bs" "$qd"
      log "$name: ${COUNT[$name]} requests per run (calibrated on slot A for ~${RUN_SECONDS}s)"
    fi
  done

  local round slot order w
  for ((w = 1; w <= WARMUP_RUNS; w++)); do
    for row in "${selected[@]}"; do
      IFS='|' read -r name client bs qd desc <<<"$row"
      for slot in A B; do
        measure "$name" "$client" "$bs" "$qd" "${COUNT[$name]:-0}" "$slot"
        log "warm-up $w/$WARMUP_RUNS $(printf '%-5s %-14s %8d IOPS (untimed)' "$name" "${LABEL[$slot]}" "$IOPS")"
      done
    done
  done
  for ((round = 1; round <= ROUNDS; round++)); do
    if ((round % 2)); then order="A B"; else order="B A"; fi
    for row in "${selected[@]}"; do
      IFS='|' read -r name client bs qd desc <<<"$row"
      for slot in $order; do
        measure "$name" "$client" "$bs" "$qd" "${COUNT[$name]:-0}" "$slot"
        local iops=$IOPS mibs=$MIBS
        local line
        line="round $round/$ROUNDS $(printf '%-5s %-14s %8d IOPS %8.1f MiB/s' "$name" "${LABEL[$slot]}" "$iops" "$mibs")"
        log "$line"
        RUN_LINES+="$(date -u +%H:%M:%S) $line"$'\n'
        RESULTS[$name$slot]+=" $iops"
      done
    done
  done

  local table
  BUSY_AFTER=$(busy_processes)
  table=$(
    echo "## Tidemark vs tgt: $(date -u '+%Y-%m-%d %H:%M UTC'), $ROUNDS round(s), ~${RUN_SECONDS}s per run"
    echo
    printf '| workload | %s IOPS | %s MiB/s | %s IOPS | %s MiB/s | ratio B/A | goal | spread A / B |\n' \
      "${LABEL[A]}" "${LABEL[A]}" "${LABEL[B]}" "${LABEL[B]}"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|"
    for row in "${selected[@]}"; do
      IFS='|' read -r name client bs qd desc <<<"$row"
      awk -v d="$desc" -v bs="$bs" -v g="${GOAL[$name]}" -v st="$SLOT_B" \
          -v a="${RESULTS[${name}A]}" -v b="${RESULTS[${name}B]}" '
        # median and (max - min) / median of a space-separated list
        function stats(list, out,    v, n, i, j, t) {
          n = split(list, v, " ")
          for (i = 2; i <= n; i++) for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
          out["median"] = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
          out["spread"] = out["median"] > 0 ? 100 * (v[n] - v[1]) / out["median"] : 0
        }
        BEGIN {
          stats(a, sa); stats(b, sb)
          ratio = 0; if (sa["median"] > 0) ratio = sb["median"] / sa["median"]
          mark = ""; if (st == "tidemark") mark = (ratio >= g) ? " (met)" : " (not met)"
          printf "| %s | %.0f | %.1f | %.0f | %.1f | **%.2fx** | %.1fx%s | %.0f%% / %.0f%% |\n", d,
            sa["median"], sa["median"] * bs / 1048576, sb["median"], sb["median"] * bs / 1048576,
            ratio, g, mark, sa["spread"], sb["spread"]
        }'
    done
    echo
    echo "A = ${LABEL[A]}, B = ${LABEL[B]}; figures are the median of the rounds; spread = (max - min) / median of IOPS;"
    echo "MiB/s = IOPS x block size / 2^20; odd rounds ran A first, even rounds B first; both LUNs 1 GiB,"
    echo "prefilled once with 64 KiB writes before timing; $WARMUP_RUNS untimed warm-up run(s) of each workload on each target."
    echo
    echo "Commands (URL = each target's LUN: A ${URL[A]}, B ${URL[B]}):"
    echo
    echo '```'
    echo "$SELF --rounds $ROUNDS --seconds $RUN_SECONDS --warmup-runs $WARMUP_RUNS${ONLY:+ --only $ONLY}$([ "$SLOT_B" = tgt ] && echo ' --self-test')${TGT_BSOFLAGS:+ --tgt-bsoflags $TGT_BSOFLAGS}${TIDEMARK_DIRECT_IO:+ --tidemark-direct-io $TIDEMARK_DIRECT_IO}"
    for row in "${selected[@]}"; do
      IFS='|' read -r name client bs qd desc <<<"$row"
      if [ "$client" = qemu-img ]; then
        qemu_cmd "$name" "$bs" "$qd" "${COUNT[$name]}" URL | paste -sd' '
      else
        echo "iscsi-perf -r -t $RUN_SECONDS -m $qd -b $((bs / 512)) URL"
      fi
    done
    echo '```'
    echo
    echo "Machine conditions:"
    echo
    conditions
    echo
    echo "Every timed run, in order (UTC):"
    echo
    echo '```'
    printf '%s' "$RUN_LINES"
    echo '```'
  )
  echo
  echo "$table"
  if [ -n "$OUT_FILE" ]; then
    printf '%s\n' "$table" >"$OUT_FILE"
    log "wrote $OUT_FILE"
  fi
}

main
