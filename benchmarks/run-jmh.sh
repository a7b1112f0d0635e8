#!/usr/bin/env bash
# Builds the benchmarks module and runs its JMH benchmarks with short but meaningful settings
# (1 fork, 3 x 2 s warm-up, 5 x 2 s measurement), then prints each score also as MiB/s.
#
#   benchmarks/run-jmh.sh                          # everything (about 12 minutes)
#   benchmarks/run-jmh.sh FileStore -p io=direct   # any JMH regex and options pass through
#   benchmarks/run-jmh.sh -t 4 FileStoreBenchmark.randomRead  # 4 concurrent callers
#   BENCH_DIR=/mnt/x benchmarks/run-jmh.sh FileStore # where the store's file goes
#   NO_BUILD=1 benchmarks/run-jmh.sh ...           # reuse the last build
#   JMH_QUICK=1 benchmarks/run-jmh.sh ...          # 1 x 1 s warm-up, 2 x 1 s measurement
# Results (JSON) go to benchmarks/results/jmh-<UTC time>.json unless OUT_JSON is set.
set -Eeuo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${TIDEMARK_BUILD:-target-jmh}
CLASSES="$ROOT/benchmarks/$BUILD/classes"
LIB="$ROOT/benchmarks/$BUILD/lib"
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java

die() { echo "run-jmh.sh: FAILED: $*" >&2; exit 1; }

if [ "${NO_BUILD:-0}" != 1 ]; then
  echo "building benchmarks into benchmarks/$BUILD (mvn -o -pl benchmarks -am package)" >&2
  (cd "$ROOT" && mvn -B -q -o "-Dtidemark.build=$BUILD" -pl benchmarks -am -DskipTests package) \
    || die "the build failed (see above)"
fi
[ -f "$CLASSES/META-INF/BenchmarkList" ] \
  || die "$CLASSES/META-INF/BenchmarkList is missing: no benchmarks were generated (is jmh-generator-annprocess in annotationProcessorPaths?)"
[ -d "$LIB" ] || die "$LIB is missing: run without NO_BUILD=1"

# the JVM flags of /work/shared/deps.md (Chronicle Queue; JDK 24+ native access); JMH forks inherit them
JVM_FLAGS=(
  -Dchronicle.analytics.disable=true
  --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED
  --add-exports=java.base/sun.nio.ch=ALL-UNNAMED
  --add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED
  --add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED
  --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED
)
feature=$("$JAVA" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ { print $2 }')
if [ "${feature%%.*}" -ge 24 ] 2>/dev/null; then
  JVM_FLAGS+=(--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow)
fi
[ -n "${BENCH_DIR:-}" ] && JVM_FLAGS+=("-Dtidemark.bench.dir=$BENCH_DIR")

if [ "${JMH_QUICK:-0}" = 1 ]; then
  SETTINGS=(-f 1 -wi 1 -w 1s -i 2 -r 1s -foe true)
else
  SETTINGS=(-f 1 -wi 3 -w 2s -i 5 -r 2s -foe true)
fi
mkdir -p "$ROOT/benchmarks/results"
OUT_JSON=${OUT_JSON:-$ROOT/benchmarks/results/jmh-$(date -u +%Y%m%dT%H%M%SZ).json}

echo "+ java ${JVM_FLAGS[*]} -cp benchmarks/$BUILD/classes:benchmarks/$BUILD/lib/* org.openjdk.jmh.Main ${SETTINGS[*]} -rf json -rff $OUT_JSON $*" >&2
"$JAVA" "${JVM_FLAGS[@]}" -cp "$CLASSES:$LIB/*" org.openjdk.jmh.Main \
  "${SETTINGS[@]}" -rf json -rff "$OUT_JSON" "$@"

# ops/s x blockBytes = bytes/s: the figure to hold against the side-by-side harness
# (throughput-mode benchmarks only: latency benchmarks score in time per op)
if command -v jq >/dev/null && [ -s "$OUT_JSON" ]; then
  echo
  echo "Throughput in MiB/s (score x blockBytes / 2^20; results in $OUT_JSON):"
  jq -r '.[] | select(.params.blockBytes != null and .mode == "thrpt")
         | [(.benchmark | sub("^io\\.tidemark\\.benchmarks\\."; "")),
            (.params | to_entries | map("\(.key)=\(.value)") | join(",")),
            (.primaryMetric.score | floor | tostring) + " ops/s",
            ((.primaryMetric.score * (.params.blockBytes | tonumber) / 1048576 * 10 | floor) / 10 | tostring) + " MiB/s"]
         | @tsv' "$OUT_JSON" | column -t -s $'\t'
fi
