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
#   scripts/bench-scan.sh simulated  # 1,000, 5,000 and 10,000 accounts x 2 regions
#                                    # served by the large-organization simulator
#                                    # (tests/support/simulator: 50 ms per call,
#                                    # AWS-like rate limits): wall time against
#                                    # the physical limit, API calls, throttled
#                                    # answers, peak RSS, CPU (release build of
#                                    # orgaudit and of the simulator)
#
# Scaling knobs: ORGAUDIT_BENCH_ACCOUNTS=10,50,200  ORGAUDIT_BENCH_LATENCY_MS=50
# Simulated knobs (besides those two; accounts default to 1000,5000,10000):
#   ORGAUDIT_BENCH_CONCURRENCY=16,32,64   one run per --concurrency (default: orgaudit's)
#   ORGAUDIT_BENCH_THROTTLE=0.3           throttle 30 % of requests at random, and
#                                         compare the findings with a clean run
#   ORGAUDIT_BENCH_LIMITS=none            no rate limits
#   ORGAUDIT_BENCH_ARGS="--max-attempts 8" more arguments for every scan
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [ "${1:-}" = "simulated" ]; then
    # The simulator runs in the test process: built in release too, so that
    # it takes little of the CPU the scan needs.
    cargo build --release --bin orgaudit
    export ORGAUDIT_BENCH_BIN="$PWD/target/release/orgaudit"
    exec cargo test --release --test bench_scan -- --ignored --nocapture --test-threads 1 bench_scan_simulated
fi
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
