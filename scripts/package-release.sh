#!/usr/bin/env bash
# Packs a built orgaudit binary as a release asset: OUT_DIR/NAME.tar.gz
# (NAME = orgaudit-VERSION-TARGET, holding NAME/orgaudit, README.md,
# LICENSE when present, and the shell completions and manual pages the
# binary generates) and OUT_DIR/NAME.tar.gz.sha256 in `sha256sum` format.
# The release workflow (.github/workflows/release.yml) runs it per target;
# scripts/install.sh reads what it writes.
#
#   scripts/package-release.sh BINARY VERSION TARGET OUT_DIR
set -euo pipefail
if [ "$#" -ne 4 ]; then
    echo "usage: $0 BINARY VERSION TARGET OUT_DIR" >&2
    exit 2
fi
BINARY="$1" VERSION="$2" TARGET="$3" OUT="$4"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
case "$VERSION" in
    v[0-9]*) ;;
    *) echo "error: VERSION must look like v1.2.3, not '$VERSION'" >&2; exit 2 ;;
esac
[ -x "$BINARY" ] || { echo "error: $BINARY is not an executable" >&2; exit 2; }
mkdir -p "$OUT"
NAME="orgaudit-$VERSION-$TARGET"
STAGE="$(mktemp -d)"
trap 'rm -rf "$STAGE"' EXIT
mkdir -p "$STAGE/$NAME/completions" "$STAGE/$NAME/man"
cp "$BINARY" "$STAGE/$NAME/orgaudit"
chmod 0755 "$STAGE/$NAME/orgaudit"
cp "$ROOT/README.md" "$STAGE/$NAME/"
if [ -f "$ROOT/LICENSE" ]; then cp "$ROOT/LICENSE" "$STAGE/$NAME/"; fi
# Completions and manual pages, when the binary runs on this machine (a
# cross-built one may not).
if "$STAGE/$NAME/orgaudit" --version >/dev/null 2>&1; then
    "$STAGE/$NAME/orgaudit" completions bash >"$STAGE/$NAME/completions/orgaudit.bash"
    "$STAGE/$NAME/orgaudit" completions zsh >"$STAGE/$NAME/completions/_orgaudit"
    "$STAGE/$NAME/orgaudit" completions fish >"$STAGE/$NAME/completions/orgaudit.fish"
    "$STAGE/$NAME/orgaudit" completions powershell >"$STAGE/$NAME/completions/_orgaudit.ps1"
    "$STAGE/$NAME/orgaudit" man --dir "$STAGE/$NAME/man" 2>/dev/null
fi
# With GNU tar (gtar on macOS, if there) a reproducible archive: sorted
# names, fixed owner and times.
TAR=tar
if command -v gtar >/dev/null 2>&1; then TAR=gtar; fi
if "$TAR" --version 2>/dev/null | grep -q 'GNU tar'; then
    "$TAR" --sort=name --owner=0 --group=0 --numeric-owner --mtime='2000-01-01 00:00:00Z' \
        -C "$STAGE" -cf - "$NAME" | gzip -n -9 >"$OUT/$NAME.tar.gz"
else
    "$TAR" -C "$STAGE" -cf - "$NAME" | gzip -n -9 >"$OUT/$NAME.tar.gz"
fi
(
    cd "$OUT"
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum "$NAME.tar.gz" >"$NAME.tar.gz.sha256"
    else
        shasum -a 256 "$NAME.tar.gz" >"$NAME.tar.gz.sha256"
    fi
)
echo "$OUT/$NAME.tar.gz"
