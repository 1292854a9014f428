#!/usr/bin/env bash
# The scan benchmarks, against moto server.
#
#   scripts/bench-scan.sh            # a 20-account organization (2 regions, every
#                                    # service): wall time, API calls per service
#                                    # and per operation (debug build)
#   BENCH_RELEASE=1 scripts/bench-scan.sh   # the same, release build
#   scripts/bench-scan.sh scaling    # 10, 50 and 200 accounts x 2 regions behind
#                                    # the fault proxy adding 50 ms to every call:
#                                    # wall time, API calls, peak memory (release
#                                    # binary of orgaudit; the harness stays debug)
#
# Scaling knobs: ORGAUDIT_BENCH_ACCOUNTS=10,50,200  ORGAUDIT_BENCH_LATENCY_MS=50
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/moto-server.sh install
if [ "${1:-}" = "scaling" ]; then
    cargo build --release --bin orgaudit
    export ORGAUDIT_BENCH_BIN="$PWD/target/release/orgaudit"
    exec cargo test --test bench_scan -- --ignored --nocapture --test-threads 1 bench_scan_scaling
fi
profile=()
if [ -n "${BENCH_RELEASE:-}" ]; then
    profile=(--release)
fi
exec cargo test "${profile[@]}" --test bench_scan -- --ignored --nocapture --test-threads 1 bench_scan_20_accounts
