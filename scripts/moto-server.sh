#!/usr/bin/env bash
# Installs moto server into a local venv and (optionally) starts it.
#
#   scripts/moto-server.sh install          # create .venv-moto with the pinned moto
#                                           # (and py-ocsf-models, which the OCSF
#                                           # output's test validates against;
#                                           # botocore, which the ASFF test
#                                           # validates with, comes with moto)
#   scripts/moto-server.sh start [PORT]     # install if needed, start on 127.0.0.1,
#                                           # print the endpoint URL, keep running
#
# The end-to-end tests (tests/scan_moto.rs) start their own moto server from
# the venv (or from ORGAUDIT_MOTO_SERVER, a path to a moto_server binary).
set -euo pipefail

MOTO_VERSION="5.2.5"
OCSF_MODELS_VERSION="0.10.0"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${ORGAUDIT_MOTO_VENV:-$ROOT/.venv-moto}"

install() {
    if [ -x "$VENV/bin/moto_server" ] \
        && "$VENV/bin/python" -c "import moto,sys; sys.exit(moto.__version__ != '$MOTO_VERSION')" 2>/dev/null \
        && "$VENV/bin/python" -c "import importlib.metadata as m,sys; sys.exit(m.version('py-ocsf-models') != '$OCSF_MODELS_VERSION')" 2>/dev/null; then
        return 0
    fi
    python3 -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
        "moto[server]==$MOTO_VERSION" "py-ocsf-models==$OCSF_MODELS_VERSION"
    echo "moto $MOTO_VERSION and py-ocsf-models $OCSF_MODELS_VERSION installed in $VENV" >&2
}

case "${1:-install}" in
    install)
        install
        ;;
    start)
        install
        PORT="${2:-5000}"
        export MOTO_IAM_LOAD_MANAGED_POLICIES=true
        echo "http://127.0.0.1:$PORT"
        exec "$VENV/bin/moto_server" -H 127.0.0.1 -p "$PORT"
        ;;
    *)
        echo "usage: $0 install | start [PORT]" >&2
        exit 2
        ;;
esac
