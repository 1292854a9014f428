#!/usr/bin/env bash
# Renders an orgaudit HTML report in headless Chromium and fails on any
# console message (script errors, Content-Security-Policy violations, blocked
# loads) and on active elements in the DOM (script, iframe, img, object,
# embed, form: the report uses none, so any would be injected markup).
#
# Usage: scripts/check-html.sh [REPORT.html [SCREENSHOT.png]]
#   Without REPORT.html, renders the demo organization with its demo config.
#   ORGAUDIT_BIN: the orgaudit binary (default: target/debug/orgaudit).
#   CHROMIUM: the browser (default: chromium, else chromium-browser).
set -euo pipefail

cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

browser=${CHROMIUM:-}
if [ -z "$browser" ]; then
  browser=$(command -v chromium || command -v chromium-browser || true)
fi
if [ -z "$browser" ]; then
  echo "check-html: chromium not found (Debian: apt-get install chromium)" >&2
  exit 2
fi

report=${1:-}
shot=${2:-$work/report.png}
if [ -z "$report" ]; then
  bin=${ORGAUDIT_BIN:-target/debug/orgaudit}
  report=$work/demo.html
  # Exit 1/3 (failing or incomplete findings) is expected for the demo.
  ORGAUDIT_TODAY=2030-01-01 "$bin" eval fixtures/demo-org.json \
    --config fixtures/demo-config.yaml -f html -o "$report" || [ $? -le 3 ]
fi
[ -s "$report" ] || { echo "check-html: $report is missing or empty" >&2; exit 1; }
url="file://$(cd "$(dirname "$report")" && pwd)/$(basename "$report")"

flags=(--headless --no-sandbox --disable-gpu --disable-background-networking
  --disable-component-update --disable-sync --no-first-run
  --user-data-dir="$work/profile" --window-size=1400,2000)

"$browser" "${flags[@]}" --enable-logging=stderr --v=0 \
  --screenshot="$shot" "$url" >"$work/out.log" 2>"$work/err.log" || {
  echo "check-html: chromium failed:" >&2; cat "$work/err.log" >&2; exit 1; }
"$browser" "${flags[@]}" --dump-dom "$url" >"$work/dom.html" 2>/dev/null

status=0
if grep -E ':CONSOLE[:(]|Uncaught' "$work/err.log" >"$work/console.log"; then
  echo "check-html: console messages while rendering $report:" >&2
  cat "$work/console.log" >&2
  status=1
fi
if grep -Eio '<(script|iframe|img|object|embed|form|link)[ >/]' "$work/dom.html" >"$work/active.log"; then
  echo "check-html: active elements in the rendered DOM of $report:" >&2
  sort -u "$work/active.log" >&2
  status=1
fi
if ! grep -q '<h2>Heat map' "$work/dom.html"; then
  echo "check-html: the rendered DOM has no heat map: not an orgaudit report?" >&2
  status=1
fi
[ -s "$shot" ] || { echo "check-html: no screenshot written" >&2; status=1; }
if [ "$status" -eq 0 ]; then
  echo "check-html: ok ($report rendered without console messages; screenshot $shot)"
fi
exit "$status"
