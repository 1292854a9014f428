#!/usr/bin/env bash
# The steps of the GitHub Action (action.yml), one per subcommand; the
# action passes its inputs as INPUT_* variables (see action.yml's env).
#
#   github-action.sh install   install the pinned release binary, checked
#                              (scripts/install.sh), onto GITHUB_PATH
#   github-action.sh scan      scan, save the snapshot, write the report (and
#                              SARIF / the job summary when asked); outputs
#                              exit-code, report, sarif, snapshot. Fails only
#                              when nothing could be evaluated (exit 2).
#   github-action.sh gate      fail the step on the scan's exit code: 1
#                              failing findings (at or above fail-on), 3
#                              incomplete (unless allow-incomplete: the CLI
#                              then exits 0), as orgaudit's exit codes say.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

error() {
    # A workflow annotation (shown in the log too), then exit CODE.
    echo "::error title=orgaudit::$1"
    exit "${2:-1}"
}

output() {
    echo "$1=$2" >>"${GITHUB_OUTPUT:-/dev/null}"
}

bool() {
    case "${2:-}" in
        true | false) ;;
        *) echo "::error title=orgaudit::input $1 must be true or false, not '${2:-}'"; exit 2 ;;
    esac
}

install_binary() {
    local dir="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/orgaudit-bin"
    local args=(--version "${INPUT_VERSION:?the version input is required}" --dir "$dir")
    if [ -n "${INPUT_SHA256:-}" ]; then
        args+=(--sha256 "$INPUT_SHA256")
    fi
    if [ -n "${INPUT_RELEASE_URL:-}" ]; then
        export ORGAUDIT_RELEASE_URL="$INPUT_RELEASE_URL"
    fi
    if [ -z "${ORGAUDIT_REPO:-}" ]; then
        export ORGAUDIT_REPO="${ACTION_REPOSITORY:-${GITHUB_REPOSITORY:-}}"
    fi
    if ! sh "$HERE/install.sh" "${args[@]}"; then
        echo "::error title=orgaudit::cannot install orgaudit $INPUT_VERSION (see the message above); no binary was installed"
        exit 1
    fi
    echo "$dir" >>"${GITHUB_PATH:-/dev/null}"
    "$dir/orgaudit" --version
}

extension() {
    case "$1" in
        table) echo txt ;;
        json) echo json ;;
        sarif) echo sarif ;;
        junit) echo xml ;;
        markdown) echo md ;;
        html) echo html ;;
        asff | ocsf) echo jsonl ;;
        csv) echo csv ;;
        *) echo "::error title=orgaudit::unknown format '$1' (table, json, sarif, junit, markdown, html, asff, ocsf, csv)"; exit 2 ;;
    esac
}

scan() {
    bool allow-incomplete "${INPUT_ALLOW_INCOMPLETE:-false}"
    bool upload-sarif "${INPUT_UPLOAD_SARIF:-false}"
    bool job-summary "${INPUT_JOB_SUMMARY:-true}"
    local format="${INPUT_FORMAT:-sarif}"
    local ext
    ext="$(extension "$format")"
    local dir="${INPUT_OUTPUT_DIR:-orgaudit-results}"
    mkdir -p "$dir"
    local report="$dir/orgaudit.$ext" snapshot="$dir/snapshot.json"
    # What evaluates the rules, for the scan and the extra reports alike.
    local eval_args=()
    if [ -n "${INPUT_CONFIG:-}" ]; then eval_args+=(--config "$INPUT_CONFIG"); fi
    if [ -n "${INPUT_FAIL_ON:-}" ]; then eval_args+=(--fail-on "$INPUT_FAIL_ON"); fi
    if [ "${INPUT_ALLOW_INCOMPLETE:-false}" = true ]; then eval_args+=(--allow-incomplete); fi
    local scan_args=(scan --no-progress --save-snapshot "$snapshot" -f "$format" -o "$report")
    if [ -n "${INPUT_PROFILE:-}" ]; then scan_args+=(--profile "$INPUT_PROFILE"); fi
    if [ -n "${INPUT_REGIONS:-}" ]; then scan_args+=(--regions "$INPUT_REGIONS"); fi
    if [ -n "${INPUT_ROLE_NAME:-}" ]; then scan_args+=(--role-name "$INPUT_ROLE_NAME"); fi
    local extra=()
    read -r -a extra <<<"${INPUT_ARGS:-}"
    scan_args+=("${extra[@]}")

    local errors="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/orgaudit-stderr.$$"
    local code=0
    orgaudit "${scan_args[@]}" "${eval_args[@]}" 2>"$errors" || code=$?
    cat "$errors" >&2
    output exit-code "$code"
    if [ "$code" -ne 0 ] && [ "$code" -ne 1 ] && [ "$code" -ne 3 ]; then
        local why
        why="$(grep '^error' "$errors" | tail -n 1 || true)"
        rm -f "$errors"
        error "orgaudit could not scan (exit $code): ${why:-see the log above}. Nothing was evaluated: check the credentials (role or profile input, or an earlier credentials step) and the inputs." "$code"
    fi
    rm -f "$errors"
    output report "$report"
    output snapshot "$snapshot"

    # The extra reports come from the saved snapshot: offline, the same facts.
    local sarif=""
    if [ "$format" = sarif ]; then
        sarif="$report"
    elif [ "${INPUT_UPLOAD_SARIF:-false}" = true ]; then
        sarif="$dir/orgaudit.sarif"
        local c=0
        orgaudit eval "$snapshot" "${eval_args[@]}" -f sarif -o "$sarif" || c=$?
        [ "$c" -ne 2 ] || error "cannot write the SARIF report" 2
    fi
    output sarif "$sarif"
    if [ "${INPUT_JOB_SUMMARY:-true}" = true ] && [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
        local c=0
        orgaudit eval "$snapshot" "${eval_args[@]}" -f markdown >>"$GITHUB_STEP_SUMMARY" || c=$?
        [ "$c" -ne 2 ] || error "cannot write the job summary" 2
    fi
}

gate() {
    local code="${SCAN_EXIT_CODE:-}"
    local fail_on="${INPUT_FAIL_ON:-}"
    case "$code" in
        0) echo "orgaudit: no failing finding${fail_on:+ at or above $fail_on}" ;;
        1) error "failing findings${fail_on:+ at or above $fail_on}: see the report ${SCAN_REPORT:-}" 1 ;;
        3) error "incomplete: some facts could not be read (ERROR findings) and no finding failed; set allow-incomplete: true to pass in that case" 3 ;;
        "") error "the scan step did not run" 2 ;;
        *) error "orgaudit exited $code" "$code" ;;
    esac
}

case "${1:-}" in
    install) install_binary ;;
    scan) scan ;;
    gate) gate ;;
    *) echo "usage: $0 install|scan|gate" >&2; exit 2 ;;
esac
