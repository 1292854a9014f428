#!/bin/sh
# Installs an orgaudit release binary, verified by its SHA-256 checksum.
#
#   install.sh [--version vX.Y.Z] [--dir DIR] [--target TRIPLE] [--sha256 HEX]
#
#   --version  the release tag (default: the release this script came with,
#              else ORGAUDIT_VERSION)
#   --dir      where to put `orgaudit` (default: $HOME/.local/bin)
#   --target   the build to fetch (default: this machine's: x86_64 or
#              aarch64, Linux (static, musl) or macOS)
#   --sha256   the archive's expected SHA-256, from somewhere you trust more
#              than the download server (default: the release's .sha256 file)
#
# Downloads BASE/VERSION/orgaudit-VERSION-TARGET.tar.gz and its .sha256 with
# curl or wget. BASE is ORGAUDIT_RELEASE_URL, else
# https://github.com/REPO/releases/download with REPO from ORGAUDIT_REPO (the
# copy attached to a release names its repository). Nothing is installed
# unless the checksum is read, well-formed and matches: no checksum tool, no
# checksum file or a mismatch stops the script (exit 1) and DIR is left as it
# was. The binary is put in place by a rename, so a running copy is never
# half-replaced.
set -eu

# Filled in by the release workflow in the copy attached to a release.
RELEASE_REPO=""
RELEASE_VERSION=""

VERSION="${ORGAUDIT_VERSION:-$RELEASE_VERSION}"
DIR="${HOME:-}/.local/bin"
TARGET=""
SHA256=""

die() {
    echo "orgaudit install: error: $*" >&2
    exit 1
}

while [ "$#" -gt 0 ]; do
    case "$1" in
        --version) [ "$#" -ge 2 ] || die "--version needs a value"; VERSION="$2"; shift 2 ;;
        --dir) [ "$#" -ge 2 ] || die "--dir needs a value"; DIR="$2"; shift 2 ;;
        --target) [ "$#" -ge 2 ] || die "--target needs a value"; TARGET="$2"; shift 2 ;;
        --sha256) [ "$#" -ge 2 ] || die "--sha256 needs a value"; SHA256="$2"; shift 2 ;;
        -h | --help)
            echo "usage: install.sh [--version vX.Y.Z] [--dir DIR] [--target TRIPLE] [--sha256 HEX]"
            exit 0
            ;;
        *) die "unknown argument '$1' (see --help)" ;;
    esac
done

[ -n "$VERSION" ] || die "no version: pass --version vX.Y.Z (or set ORGAUDIT_VERSION)"
case "$VERSION" in
    v[0-9]*) ;;
    *) die "the version must look like v1.2.3, not '$VERSION'" ;;
esac
[ -n "$DIR" ] || die "no install directory: pass --dir DIR"

if [ -z "$TARGET" ]; then
    os="$(uname -s)"
    arch="$(uname -m)"
    case "$arch" in
        x86_64 | amd64) arch=x86_64 ;;
        aarch64 | arm64) arch=aarch64 ;;
        *) die "no release build for the processor '$arch'; build from source: cargo install --locked --path ." ;;
    esac
    case "$os" in
        Linux) TARGET="$arch-unknown-linux-musl" ;;
        Darwin) TARGET="$arch-apple-darwin" ;;
        *) die "no release build for '$os'; build from source: cargo install --locked --path ." ;;
    esac
fi

BASE="${ORGAUDIT_RELEASE_URL:-}"
if [ -z "$BASE" ]; then
    REPO="${ORGAUDIT_REPO:-$RELEASE_REPO}"
    [ -n "$REPO" ] || die "no release location: set ORGAUDIT_REPO=OWNER/NAME (or ORGAUDIT_RELEASE_URL)"
    BASE="https://github.com/$REPO/releases/download"
fi
NAME="orgaudit-$VERSION-$TARGET"
URL="$BASE/$VERSION/$NAME.tar.gz"

# The checksum tool, found before anything is downloaded.
if command -v sha256sum >/dev/null 2>&1; then
    sha256() { sha256sum "$1" | cut -d' ' -f1; }
elif command -v shasum >/dev/null 2>&1; then
    sha256() { shasum -a 256 "$1" | cut -d' ' -f1; }
elif command -v openssl >/dev/null 2>&1; then
    sha256() { openssl dgst -sha256 -r "$1" | cut -d' ' -f1; }
else
    die "cannot verify the download: none of sha256sum, shasum or openssl is installed; nothing installed"
fi

if command -v curl >/dev/null 2>&1; then
    fetch() { curl --proto '=https,file' --tlsv1.2 -fsSL -o "$2" "$1"; }
elif command -v wget >/dev/null 2>&1; then
    fetch() { wget -q -O "$2" "$1"; }
else
    die "neither curl nor wget is installed"
fi

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT INT TERM

fetch "$URL" "$TMP/$NAME.tar.gz" || die "cannot download $URL (is $VERSION released for $TARGET?)"
if [ -n "$SHA256" ]; then
    expected="$SHA256"
else
    fetch "$URL.sha256" "$TMP/$NAME.tar.gz.sha256" \
        || die "cannot download the checksum $URL.sha256; nothing installed"
    expected="$(cut -d' ' -f1 <"$TMP/$NAME.tar.gz.sha256" | head -n 1)"
fi
expected="$(printf '%s' "$expected" | tr 'A-F' 'a-f')"
case "$expected" in
    *[!0-9a-f]* | "") die "the checksum '$expected' is not a SHA-256 (64 hex digits); nothing installed" ;;
esac
[ "${#expected}" -eq 64 ] || die "the checksum '$expected' is not a SHA-256 (64 hex digits); nothing installed"
actual="$(sha256 "$TMP/$NAME.tar.gz")"
[ "$actual" = "$expected" ] \
    || die "checksum mismatch for $NAME.tar.gz: expected $expected, got $actual; nothing installed"

tar -xzf "$TMP/$NAME.tar.gz" -C "$TMP" || die "cannot unpack $NAME.tar.gz"
[ -f "$TMP/$NAME/orgaudit" ] || die "$NAME.tar.gz holds no $NAME/orgaudit"
mkdir -p "$DIR" || die "cannot create $DIR"
cp "$TMP/$NAME/orgaudit" "$DIR/.orgaudit.install.$$" || die "cannot write to $DIR"
chmod 0755 "$DIR/.orgaudit.install.$$"
mv -f "$DIR/.orgaudit.install.$$" "$DIR/orgaudit" || {
    rm -f "$DIR/.orgaudit.install.$$"
    die "cannot install into $DIR"
}
echo "installed orgaudit $VERSION ($TARGET) to $DIR/orgaudit (sha256 $actual)"
case ":${PATH:-}:" in
    *":$DIR:"*) ;;
    *) echo "note: $DIR is not on PATH" ;;
esac
