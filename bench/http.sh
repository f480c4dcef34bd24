#!/usr/bin/env bash
# Benchmark of POST /security/userSecurityProfiles (run by hand, not in CI): wrk on
# loopback against `usp-worker run` with the endpoint, publishing every entity with
# acks=all to the embedded cluster (`usp-worker broker`), the page's example as the body.
# Prints wrk's requests/s and latency percentiles, then checks that the outbound topic
# holds one record per 201.
#
#   swift build -c release --product usp-worker && bench/http.sh
#   CONNECTIONS=256 DURATION=60s bench/http.sh -- --kafka-property linger.ms=1
#
# Arguments after `--` go to `usp-worker run`. Needs wrk and kcat (apt).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

BIN=${USP_WORKER_BIN:-.build/release/usp-worker}
DURATION=${DURATION:-30s}
WARM_UP=${WARM_UP:-5s}
CONNECTIONS=${CONNECTIONS:-96}
THREADS=${THREADS:-1}
PARTITIONS=${PARTITIONS:-6}
[ "${1:-}" = "--" ] && shift
for tool in wrk kcat; do
    command -v "$tool" >/dev/null || { echo "bench/http.sh: $tool is missing (apt-get install $tool)" >&2; exit 1; }
done
[ -x "$BIN" ] || { echo "bench/http.sh: build first: swift build -c release --product usp-worker" >&2; exit 1; }

workdir=$(mktemp -d)
pids=()
stop() {
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$workdir"
}
trap stop EXIT

"$BIN" broker --partitions "$PARTITIONS" >"$workdir/broker.out" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do [ -s "$workdir/broker.out" ] && break; sleep 0.1; done
brokers=$(head -n1 "$workdir/broker.out")
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$BIN" run --brokers "$brokers" --http-host 127.0.0.1 --http-port "$port" --log-level warning \
    --auth none --allow-unauthenticated-http-create "$@" >"$workdir/worker.log" 2>&1 &
worker=$!
pids+=("$worker")
url="http://127.0.0.1:$port/security/userSecurityProfiles"
for _ in $(seq 1 100); do curl -s -o /dev/null "$url" && break; sleep 0.1; done

echo "usp-worker run $* on 127.0.0.1:$port; embedded cluster $brokers ($PARTITIONS partitions); $(nproc) cores"
echo "== warm-up ($WARM_UP)"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARM_UP" -s bench/post-example.lua "$url" >"$workdir/warm-up.txt"
grep -E "Requests/sec|Non-2xx" "$workdir/warm-up.txt" || true
echo "== measured: wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency"
cpu_before=$(awk '{print $14 + $15}' "/proc/$worker/stat")
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s bench/post-example.lua "$url" | tee "$workdir/wrk.txt"
cpu_after=$(awk '{print $14 + $15}' "/proc/$worker/stat")
measured=$(awk '/requests in/ {print $1}' "$workdir/wrk.txt")
awk -v ticks=$((cpu_after - cpu_before)) -v hz="$(getconf CLK_TCK)" -v n="$measured" 'BEGIN {
    printf "usp-worker CPU during the run: %.1f s, %.0f µs a request\n", ticks / hz, ticks / hz / n * 1e6 }'
echo "usp-worker peak RSS: $(awk '/VmHWM/ {print $2, $3}' "/proc/$worker/status")"

# Every request wrk saw answered 201 (warm-up and run) has its record on the topic.
answered() { awk '/requests in/ {print $1}' "$1"; }
refused() { awk '/Non-2xx/ {print $NF} END {print 0}' "$1" | head -n1; }
created=$(( $(answered "$workdir/warm-up.txt") + $(answered "$workdir/wrk.txt") \
    - $(refused "$workdir/warm-up.txt") - $(refused "$workdir/wrk.txt") ))
sleep 1
# The embedded cluster keeps only the last 5 MiB of each partition, so count by end offsets.
queries=()
for ((partition = 0; partition < PARTITIONS; partition++)); do queries+=(-t "userSecurityProfiles.created:$partition:-1"); done
records=$(kcat -Q -b "$brokers" "${queries[@]}" | awk '{sum += $NF} END {print sum}')
echo "records published to userSecurityProfiles.created: $records; 201s wrk read: $created (requests in flight when wrk stopped add a few)"
