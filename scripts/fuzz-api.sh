#!/usr/bin/env bash
# Fuzzes `vigie serve`'s HTTP API against its own OpenAPI document with schemathesis:
#
#     bash scripts/fuzz-api.sh                # the full campaign (docs/reliability.md)
#     bash scripts/fuzz-api.sh --quick        # the test suite's short run
#     bash scripts/fuzz-api.sh -- --seed 42   # anything after -- goes to `schemathesis run`
#
# Starts `vigie serve` on a throwaway data directory at free loopback ports, creates an API
# token with `vigie token create`, and runs schemathesis over every operation of
# /api/v1/openapi.json with the checks not_a_server_error, status_code_conformance,
# content_type_conformance and response_schema_conformance. Exits non-zero on any finding.
#
# The API creates devices (which the poller then polls), captures relays' certificates and
# tests actions: with generated addresses, that would send packets anywhere. So the run
# happens in a network namespace of its own (`unshare -n`) that has only a loopback
# interface; where namespaces are not allowed, the operations that reach out are excluded
# and the script says so.
#
# Needs schemathesis (`bash scripts/install-python-peers.sh schemathesis`) and the `vigie`
# binary (`cargo build -p vigie`; VIGIE_BIN overrides its path).
set -euo pipefail

cd "$(dirname "$0")/.."

quick=0
extra=()
while [ $# -gt 0 ]; do
    case $1 in
        --quick) quick=1 ;;
        --) shift; extra=("$@"); break ;;
        *) echo "usage: $0 [--quick] [-- SCHEMATHESIS-OPTIONS...]" >&2; exit 2 ;;
    esac
    shift
done

# Re-run inside a private network namespace when possible.
if [ -z "${VIGIE_FUZZ_API_NETNS:-}" ]; then
    if unshare -n true >/dev/null 2>&1; then
        args=()
        [ "$quick" -eq 1 ] && args+=(--quick)
        exec env VIGIE_FUZZ_API_NETNS=1 unshare -n bash "$0" "${args[@]}" -- "${extra[@]}"
    fi
    VIGIE_FUZZ_API_NETNS=none
fi

isolated=0
if [ "$VIGIE_FUZZ_API_NETNS" = 1 ]; then
    isolated=1
    # A new namespace's loopback is down; `ip` may be missing on a minimal system.
    if command -v ip >/dev/null 2>&1; then
        ip link set lo up
    else
        python3 -c '
import fcntl, socket, struct
IFF_UP, IFF_LOOPBACK, IFF_RUNNING, SIOCSIFFLAGS = 0x1, 0x8, 0x40, 0x8914
flags = struct.pack("16sH14s", b"lo", IFF_UP | IFF_LOOPBACK | IFF_RUNNING, bytes(14))
fcntl.ioctl(socket.socket(socket.AF_INET, socket.SOCK_DGRAM), SIOCSIFFLAGS, flags)'
    fi
fi

if ! command -v schemathesis >/dev/null 2>&1; then
    echo "schemathesis not found: bash scripts/install-python-peers.sh schemathesis" >&2
    exit 1
fi
target_dir=${CARGO_TARGET_DIR:-target}
vigie=${VIGIE_BIN:-$target_dir/debug/vigie}
if [ ! -x "$vigie" ]; then
    echo "$vigie not found: build it with cargo build -p vigie (or set VIGIE_BIN)" >&2
    exit 1
fi

work=$(mktemp -d)
serve_pid=
cleanup() {
    if [ -n "$serve_pid" ]; then
        kill "$serve_pid" 2>/dev/null || true
        wait "$serve_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

free_port() {
    python3 -c "
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM if sys.argv[1] == 'udp' else socket.SOCK_STREAM)
s.bind(('127.0.0.1', 0))
print(s.getsockname()[1])" "$1"
}
http_port=$(free_port tcp)
trap_port=$(free_port udp)
agent_port=$(free_port udp)
base=http://127.0.0.1:$http_port

"$vigie" serve --data-dir "$work/data" --http "127.0.0.1:$http_port" \
    --traps "127.0.0.1:$trap_port" --agent "127.0.0.1:$agent_port" \
    >"$work/serve.log" 2>&1 &
serve_pid=$!
for _ in $(seq 100); do
    if python3 -c "import urllib.request, sys; urllib.request.urlopen(sys.argv[1], timeout=1)" \
        "$base/api/v1/health" >/dev/null 2>&1; then
        break
    fi
    if ! kill -0 "$serve_pid" 2>/dev/null; then
        cat "$work/serve.log" >&2
        echo "vigie serve did not start" >&2
        exit 1
    fi
    sleep 0.1
done
token=$("$vigie" token create schemathesis --data-dir "$work/data")

excluded=()
if [ "$isolated" -eq 0 ]; then
    echo "==> no network namespace (unshare -n refused): the operations that send packets" \
        "to the addresses they are given are not fuzzed" >&2
    excluded=(
        --exclude-operation-id createDevice --exclude-operation-id updateDevice
        --exclude-operation-id pollDevice --exclude-operation-id captureChain
        --exclude-operation-id testAction
    )
fi

if [ "$quick" -eq 1 ]; then
    # The test suite's run: a few examples of each operation, bounded in time.
    budget=(--max-examples 8 --max-time 90)
else
    budget=(--max-examples 200)
fi

# Hypothesis's health checks `filter_too_much` and `too_slow` judge the generator, not the API:
# an operation whose only input is a plain string in the path leaves the negative mode almost
# nothing to mutate, so most of its drafts are discarded and, with some seeds, the check fails
# the run although every request sent passed every check.
status=0
schemathesis run "$base/api/v1/openapi.json" \
    --header "Authorization: Bearer $token" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --workers 1 --request-timeout 20 --generation-database none --no-color \
    --suppress-health-check filter_too_much,too_slow \
    "${budget[@]}" "${excluded[@]}" "${extra[@]}" || status=$?

if grep -E "panicked|ERROR" "$work/serve.log" >&2; then
    echo "==> vigie serve logged the errors above during the run" >&2
fi
exit "$status"
