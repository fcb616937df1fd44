#!/usr/bin/env bash
# CI: `npm start` (the offline plan of the dev stack) needs no network but loopback. It runs in a
# fresh network namespace where only `lo` is up: the policy pack's gRPC port works, nothing else
# does. Needs root (CI runs as root) plus unshare (util-linux) and ip (iproute2).
set -euo pipefail
cd "$(dirname "$0")/.."

started=$(date +%s%N)
unshare -n sh -c 'ip link set lo up && npm start --silent'
elapsed_ms=$(( ($(date +%s%N) - started) / 1000000 ))
echo "offline-start: npm start finished without network in ${elapsed_ms} ms"
