#!/usr/bin/env bash
# Instructions `vigie agent` executes per request, counted by callgrind: unlike requests/s,
# this figure does not move with the load of the machine, so it measures a change to the
# agent's hot path on a busy 2-core host.
#
# Starts `vigie agent` under `valgrind --tool=callgrind` (community public and the SNMPv3
# user `bench` of scripts/bench-agent.sh), waits for it to answer, then for each mode zeroes
# the counters (`callgrind_control -z`), runs crates/agent/examples/agent_load.rs with one
# manager for SECONDS_PER_RUN seconds, dumps the counters (`callgrind_control -d`) and prints
# the instructions collected divided by the requests answered. Everything the agent's
# threads execute in user space counts: the socket loop, decoding, USM, the MIB handlers,
# encoding; the kernel's share (the UDP syscalls) does not.
#
# Usage: bash scripts/bench-agent-instructions.sh [path/to/vigie]   (default target/release/vigie)
# MODES (default "get getnext getbulk get-v3"), SECONDS_PER_RUN (default 10). With
# KEEP=DIR the callgrind profile of each mode is kept as DIR/MODE.out for callgrind_annotate.
set -euo pipefail

cd "$(dirname "$0")/.."
vigie="${1:-target/release/vigie}"
seconds="${SECONDS_PER_RUN:-10}"
modes="${MODES:-get getnext getbulk get-v3}"
v3_args=(--v3-user bench --auth-password bench-auth-password --priv-password bench-priv-password)

for tool in valgrind callgrind_control snmpget python3; do
    command -v "$tool" >/dev/null || { echo "$tool is missing: apt-get install valgrind snmp" >&2; exit 1; }
done
[[ -x $vigie ]] || { echo "$vigie is missing: cargo build --release -p vigie" >&2; exit 1; }
cargo build --quiet --release -p vigie-agent --example agent_load
load=target/release/examples/agent_load

work=$(mktemp -d)
vigie_pid=""
cleanup() {
    if [[ -n $vigie_pid ]]; then
        kill "$vigie_pid" 2>/dev/null || true
        wait "$vigie_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
addr="127.0.0.1:$port"
mkdir "$work/state" "$work/profiles"
cat >"$work/vigie.toml" <<CONF
[[user]]
name = "bench"
auth = "SHA-256"
auth_password = "bench-auth-password"
privacy = "AES"
priv_password = "bench-priv-password"
access = "ro"
CONF
valgrind --tool=callgrind --callgrind-out-file="$work/profiles/callgrind.out.%p" \
    "$vigie" agent --config "$work/vigie.toml" --listen "udp:$addr" --rocommunity public \
    --state-dir "$work/state" >"$work/vigie.log" 2>&1 &
vigie_pid=$!
# The first answer under valgrind takes seconds: password-to-key and the startup run slowly.
for _ in $(seq 120); do
    if snmpget -v2c -c public -m '' -On -t 1 -r 0 "$addr" .1.3.6.1.2.1.1.3.0 >/dev/null 2>&1; then
        break
    fi
    sleep 0.5
done

printf '%-9s %9s %14s %12s\n' mode answered instructions instr/req
for named in $modes; do
    mode=${named%-v3}
    extra=()
    [[ $named == *-v3 ]] && extra=("${v3_args[@]}")
    # A short warm-up: v3 discovery and key localization, first touches of the tables.
    "$load" --target "$addr" --managers 1 --seconds 1 --mode "$mode" "${extra[@]}" >/dev/null
    callgrind_control -z "$vigie_pid" >/dev/null 2>&1
    line=$("$load" --target "$addr" --managers 1 --seconds "$seconds" --mode "$mode" "${extra[@]}")
    rm -f "$work"/profiles/callgrind.out.*.*
    callgrind_control -d "$named" "$vigie_pid" >/dev/null 2>&1
    answered=$(sed -n 's/.*answered=\([0-9]*\).*/\1/p' <<<"$line")
    # The dump just written: the totals of every thread since the zeroing.
    total=0
    for profile in "$work"/profiles/callgrind.out.*.*; do
        [[ -e $profile ]] || continue
        n=$(sed -n 's/^summary: \([0-9]*\).*/\1/p; s/^totals: \([0-9]*\).*/\1/p' "$profile" | head -1)
        total=$((total + ${n:-0}))
        if [[ -n ${KEEP:-} ]]; then
            mkdir -p "$KEEP"
            cp "$profile" "$KEEP/$named.$(basename "$profile")"
        fi
    done
    per=$(awk -v t="$total" -v n="$answered" 'BEGIN { if (n > 0) printf "%.0f", t / n }')
    printf '%-9s %9s %14s %12s\n' "$named" "$answered" "$total" "$per"
done
