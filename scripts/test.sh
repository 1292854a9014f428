#!/usr/bin/env bash
# The test command: installs what the tests need (moto server and the recipe
# checkers in a local venv),
# then runs every test. The end-to-end tests start moto themselves on 127.0.0.1.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [ -x scripts/moto-server.sh ]; then
    scripts/moto-server.sh install
fi
# The recipe checkers (kubernetes-validate, actionlint), in the same venv.
if [ -x scripts/test-tools.sh ]; then
    scripts/test-tools.sh
fi
exec cargo test "$@"
