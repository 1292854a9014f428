#!/usr/bin/env bash
# The scan benchmark: seeds a 20-account organization in moto server (2
# regions, every service) and times `orgaudit scan` against it, then prints
# the API calls per service and per operation.
#
#   scripts/bench-scan.sh            # debug build (no extra compilation)
#   BENCH_RELEASE=1 scripts/bench-scan.sh   # release build
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/moto-server.sh install
profile=()
if [ -n "${BENCH_RELEASE:-}" ]; then
    profile=(--release)
fi
exec cargo test "${profile[@]}" --test bench_scan -- --ignored --nocapture --test-threads 1
