#!/usr/bin/env bash
# Net-SNMP's command-line tools against vigie's, side by side, on the same agent.
#
# Starts a throwaway snmpd on a free loopback port (its own config, no `pass` scripts, the
# standard MIB modules), checks that each pair of commands prints the same number of lines,
# within 2% (a tool that fails fast must not look fast), times each pair with hyperfine,
# prints the ratios, counts each tool's instructions with callgrind (a figure the machine's
# load does not move), and stops snmpd. Traffic stays on 127.0.0.1.
#
# SNMPV3=1 compares the tools over SNMPv3 authPriv (SHA-256 + AES-128) instead, with the
# agent's one USM user (createUser bench …, rouser bench priv). Each run of each tool is a
# fresh process: it discovers the engine (one Report round trip), derives the user's keys from
# the passwords (two password-to-key computations, RFC 3414 A.2) and then sends the request,
# as an operator's command does.
#
# Usage: bash scripts/bench-tools.sh [path/to/vigie]   (default target/release/vigie)
# Build first: cargo build --release -p vigie. RUNS=n sets hyperfine's runs (default 20);
# INSTRUCTIONS=0 skips the callgrind counts. hyperfine is installed with apt-get if missing.
set -euo pipefail

cd "$(dirname "$0")/.."
vigie="${1:-target/release/vigie}"
runs="${RUNS:-20}"

if ! command -v hyperfine >/dev/null && command -v apt-get >/dev/null; then
    apt-get install -y hyperfine >/dev/null || { apt-get update >/dev/null && apt-get install -y hyperfine >/dev/null; }
fi
for tool in snmpd snmpwalk snmpbulkwalk snmpget hyperfine python3; do
    if ! command -v "$tool" >/dev/null; then
        echo "$tool is missing: apt-get install snmp snmpd hyperfine" >&2
        exit 1
    fi
done
if [[ ! -x $vigie ]]; then
    echo "$vigie is missing: cargo build --release -p vigie" >&2
    exit 1
fi

work=$(mktemp -d)
snmpd_pid=""
cleanup() {
    if [[ -n $snmpd_pid ]]; then
        kill "$snmpd_pid" 2>/dev/null || true
        wait "$snmpd_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

# A free UDP port on the loopback: bind port 0 and let the kernel choose.
port=$(python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
agent="127.0.0.1:$port"

cat >"$work/snmpd.conf" <<CONF
agentAddress udp:$agent
rocommunity public 127.0.0.1
sysLocation bench
sysContact bench@example.invalid
createUser bench SHA-256 bench-auth-password AES bench-priv-password
rouser bench priv
CONF
# -C: only this config; -f: foreground, so that $! is snmpd itself; -Lf: log to a file.
# snmpd saves its state as snmpd.conf in SNMP_PERSISTENT_DIR: keep that apart from ours.
mkdir "$work/state"
SNMP_PERSISTENT_DIR="$work/state" snmpd -f -C -c "$work/snmpd.conf" -Lf "$work/snmpd.log" \
    -p "$work/snmpd.pid" &
snmpd_pid=$!
for _ in $(seq 50); do
    if snmpget -v2c -c public -m '' -On -t 0.2 -r 0 "$agent" .1.3.6.1.2.1.1.3.0 >/dev/null 2>&1; then
        break
    fi
    sleep 0.1
done
snmpget -v2c -c public -m '' -On -t 1 -r 0 "$agent" .1.3.6.1.2.1.1.3.0 >/dev/null

# Command lines as strings, split into words like a shell does (so -m '' stays one empty
# word) by bash for the line check and by hyperfine, which runs them without a shell (-N).
common="-v2c -c public -m '' -On $agent"
get_oids=".1.3.6.1.2.1.1.1.0 .1.3.6.1.2.1.1.2.0 .1.3.6.1.2.1.1.3.0 .1.3.6.1.2.1.1.4.0
    .1.3.6.1.2.1.1.5.0 .1.3.6.1.2.1.1.6.0 .1.3.6.1.2.1.1.7.0 .1.3.6.1.2.1.2.1.0
    .1.3.6.1.2.1.2.2.1.2.1 .1.3.6.1.2.1.2.2.1.10.1"
get_oids=$(echo $get_oids)

v3="-v3 -l authPriv -u bench -a SHA-256 -A bench-auth-password -x AES -X bench-priv-password -m '' -On $agent"

# name | Net-SNMP command | vigie command
if [ "${SNMPV3:-0}" = 1 ]; then
    pairs=(
        "get v3 (10 OIDs)|snmpget $v3 $get_oids|$vigie get $v3 $get_oids"
        "get v2c (10)|snmpget $common $get_oids|$vigie get $common $get_oids"
        "bulkwalk v3|snmpbulkwalk $v3 .1.3.6.1.2.1.2|$vigie bulkwalk $v3 .1.3.6.1.2.1.2"
    )
else
    pairs=(
        "walk|snmpwalk $common .1.3.6.1.2.1|$vigie walk $common .1.3.6.1.2.1"
        "bulkwalk|snmpbulkwalk $common .1.3.6.1.2.1|$vigie bulkwalk $common .1.3.6.1.2.1"
        "get (10 OIDs)|snmpget $common $get_oids|$vigie get $common $get_oids"
    )
fi

printf '%-18s %7s  %-31s  %-28s\n' '' '' 'wall time, median' 'tool CPU time (user+sys), mean'
printf '%-18s %7s  %10s %10s %9s  %9s %9s %8s\n' command lines net-snmp vigie ratio net-snmp vigie ratio
for pair in "${pairs[@]}"; do
    IFS='|' read -r name netsnmp ours <<<"$pair"
    theirs_lines=$(bash -c "$netsnmp" | wc -l)
    ours_lines=$(bash -c "$ours" | wc -l || true)
    # The walks cross tables that change between two runs (hrSWRunTable, tcpConnTable…):
    # allow 2% either way, but no more.
    if ((ours_lines * 50 < theirs_lines * 49 || ours_lines * 50 > theirs_lines * 51)); then
        echo "$name: Net-SNMP printed $theirs_lines lines, vigie $ours_lines: not timed" >&2
        continue
    fi
    hyperfine -N --style none --warmup 2 --runs "$runs" --export-json "$work/result.json" \
        --command-name net-snmp "$netsnmp" --command-name vigie "$ours" >/dev/null 2>"$work/hyperfine.log"
    python3 - "$work/result.json" "$name" "$theirs_lines" <<'PY'
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
theirs, ours = results["net-snmp"], results["vigie"]
wall = [r["median"] * 1e3 for r in (theirs, ours)]
cpu = [(r["user"] + r["system"]) * 1e3 for r in (theirs, ours)]
print(f"{sys.argv[2]:<18} {sys.argv[3]:>7}  {wall[0]:>7.2f} ms {wall[1]:>7.2f} ms {wall[0] / wall[1]:>8.2f}x"
      f"  {cpu[0]:>6.1f} ms {cpu[1]:>6.1f} ms {cpu[0] / cpu[1]:>7.2f}x")
PY
done
echo "($runs runs each; ratio = Net-SNMP / vigie, above 1 when vigie is faster. Wall time"
echo " includes snmpd's work, the same for both; CPU time is the tool's own process.)"

# Wall and CPU times move with the machine's load; the instructions a tool executes do not.
if [[ ${INSTRUCTIONS:-1} == 1 ]] && command -v valgrind >/dev/null; then
    instructions() {
        bash -c "valgrind --tool=callgrind --callgrind-out-file=/dev/null $1" 2>&1 >/dev/null |
            sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
    }
    echo
    printf '%-18s %16s %16s %9s\n' command 'net-snmp instr.' 'vigie instr.' ratio
    for pair in "${pairs[@]}"; do
        IFS='|' read -r name netsnmp ours <<<"$pair"
        theirs_count=$(instructions "$netsnmp")
        ours_count=$(instructions "$ours")
        ratio=$(awk -v a="$theirs_count" -v b="$ours_count" 'BEGIN { printf "%.2fx", a / b }')
        printf '%-18s %16d %16d %9s\n' "$name" "$theirs_count" "$ours_count" "$ratio"
    done
    echo "(user-space instructions of the tool's process, counted by callgrind; INSTRUCTIONS=0 skips)"
fi
