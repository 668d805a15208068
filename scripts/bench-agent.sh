#!/usr/bin/env bash
# vigie's agent against Net-SNMP's snmpd and async-snmp's agent under load, side by side, in
# the same run.
#
# Starts a throwaway snmpd, a `vigie agent` and crates/bench/examples/async_snmp_agent.rs (the
# agent of the async-snmp crate serving the same objects, read once at start) on free loopback
# ports (community public, state in a temporary directory), then for each mode (GET of 10
# varbinds, GETNEXT walk of ifTable, GETBULK walk of ifTable with max-repetitions 25) and each
# number of concurrent managers runs crates/agent/examples/agent_load.rs against snmpd, vigie
# and async-snmp in turn, and prints requests/s, p50 and p99 latency, the agent's CPU time per
# request (utime + stime from /proc/PID/stat) and its resident memory. The agents and the load
# generator share the machine's cores.
#
# Usage: bash scripts/bench-agent.sh [path/to/vigie]   (default target/release/vigie)
# Build first: cargo build --release -p vigie. SECONDS_PER_RUN (default 5), MANAGERS
# (default "1 8 32") and MODES (default "get getnext getbulk get-v3 getbulk-v3") change the
# matrix; a mode ending in -v3 is sent as SNMPv3 authPriv, SHA-256 + AES-128, by the user
# `bench` that every agent is configured with. AGENTS (default "snmpd vigie async-snmp")
# selects the peers.
set -euo pipefail

cd "$(dirname "$0")/.."
vigie="${1:-target/release/vigie}"
seconds="${SECONDS_PER_RUN:-5}"
managers_list="${MANAGERS:-1 8 32}"
modes="${MODES:-get getnext getbulk get-v3 getbulk-v3}"
agents="${AGENTS:-snmpd vigie async-snmp}"
v3_args=(--v3-user bench --auth-password bench-auth-password --priv-password bench-priv-password)

for tool in snmpd snmpget python3; do
    command -v "$tool" >/dev/null || { echo "$tool is missing: apt-get install snmp snmpd" >&2; exit 1; }
done
[[ -x $vigie ]] || { echo "$vigie is missing: cargo build --release -p vigie" >&2; exit 1; }
cargo build --quiet --release -p vigie-agent --example agent_load
cargo build --quiet --release -p vigie-bench --example async_snmp_agent
load=target/release/examples/agent_load

work=$(mktemp -d)
snmpd_pid=""
vigie_pid=""
async_pid=""
cleanup() {
    for pid in $snmpd_pid $vigie_pid $async_pid; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT

free_port() {
    python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
wait_for() {
    for _ in $(seq 50); do
        if snmpget -v2c -c public -m '' -On -t 0.2 -r 0 "$1" .1.3.6.1.2.1.1.3.0 >/dev/null 2>&1; then
            return
        fi
        sleep 0.1
    done
    snmpget -v2c -c public -m '' -On -t 1 -r 0 "$1" .1.3.6.1.2.1.1.3.0 >/dev/null
}

snmpd_addr="127.0.0.1:$(free_port)"
cat >"$work/snmpd.conf" <<CONF
agentAddress udp:$snmpd_addr
rocommunity public 127.0.0.1
sysLocation bench
sysContact bench@example.invalid
# sysServices.0 is one of the GET mode's ten objects; without this line snmpd has no instance.
sysServices 72
createUser bench SHA-256 bench-auth-password AES bench-priv-password
rouser bench priv
CONF
mkdir "$work/snmpd-state" "$work/vigie-state"
# -C: only this config; -f: foreground, so that $! is snmpd itself; -Lf: log to a file.
SNMP_PERSISTENT_DIR="$work/snmpd-state" snmpd -f -C -c "$work/snmpd.conf" -Lf "$work/snmpd.log" &
snmpd_pid=$!
vigie_addr="127.0.0.1:$(free_port)"
cat >"$work/vigie.toml" <<CONF
[[user]]
name = "bench"
auth = "SHA-256"
auth_password = "bench-auth-password"
privacy = "AES"
priv_password = "bench-priv-password"
access = "ro"
CONF
"$vigie" agent --config "$work/vigie.toml" --listen "udp:$vigie_addr" --rocommunity public \
    --state-dir "$work/vigie-state" >"$work/vigie.log" 2>&1 &
vigie_pid=$!
async_addr="127.0.0.1:$(free_port)"
target/release/examples/async_snmp_agent "$async_addr" >"$work/async-snmp.log" 2>&1 &
async_pid=$!
wait_for "$snmpd_addr"
wait_for "$vigie_addr"
wait_for "$async_addr"

# utime + stime of every thread of PID, in clock ticks (proc(5), fields 14 and 15).
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
rss_kib() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }
tck=$(getconf CLK_TCK)

printf '%-11s %4s %-10s %9s %6s %8s %8s %10s %8s %8s %s\n' \
    mode mgrs agent req/s vb/req p50_us p99_us cpu_us/req rss_kib timeouts ''
for named in $modes; do
    mode=${named%-v3}
    extra=()
    [[ $named == *-v3 ]] && extra=("${v3_args[@]}")
    for managers in $managers_list; do
        for agent in $agents; do
            case $agent in
                snmpd) pid=$snmpd_pid addr=$snmpd_addr ;;
                vigie) pid=$vigie_pid addr=$vigie_addr ;;
                async-snmp) pid=$async_pid addr=$async_addr ;;
                *) echo "unknown agent $agent (snmpd, vigie, async-snmp)" >&2; exit 1 ;;
            esac
            before=$(cpu_ticks "$pid")
            line=$("$load" --target "$addr" --managers "$managers" --seconds "$seconds" --mode "$mode" \
                "${extra[@]}")
            after=$(cpu_ticks "$pid")
            answered=$(sed -n 's/.*answered=\([0-9]*\).*/\1/p' <<<"$line")
            field() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$line"; }
            cpu=$(awk -v t=$((after - before)) -v n="$answered" -v hz="$tck" \
                'BEGIN { if (n > 0) printf "%.1f", t * 1e6 / hz / n }')
            per_request=$(awk -v v="$(field varbinds_per_s)" -v r="$(field rps)" \
                'BEGIN { if (r > 0) printf "%.1f", v / r }')
            printf '%-11s %4s %-10s %9s %6s %8s %8s %10s %8s %8s %s\n' "$named" "$managers" "$agent" \
                "$(field rps)" "$per_request" "$(field p50_us)" "$(field p99_us)" "$cpu" "$(rss_kib "$pid")" \
                "$(field timeouts)" "errors=$(field errors)"
        done
    done
done
