#!/usr/bin/env bash
# A tour of vigie on this machine, in one command:
#
#     bash scripts/tour.sh
#
# It builds vigie, starts `vigie agent` and Net-SNMP's snmptrapd (installed when missing:
# Debian package, as root or through sudo) on free loopback ports (never 161/162), and runs
# vigie's tools against them: a walk of the system group, gets, sets, a trap and an inform,
# then shows what snmptrapd received. Everything it starts is stopped, and its files
# removed, on exit.
set -euo pipefail

cd "$(dirname "$0")/.."
bash scripts/install-peers.sh snmptrapd

# Daemons live in /usr/sbin, which a non-root PATH often omits.
PATH="$PATH:/usr/sbin"

work=$(mktemp -d "${TMPDIR:-/tmp}/vigie-tour.XXXXXX")
pids=()
cleanup() {
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT

# Starts a Net-SNMP daemon on a free loopback port: start_daemon NAME LOG ARGS... ; the
# listening address is appended. Sets $port. A daemon logs "NET-SNMP version" once its
# port is open, and exits at once when the port is taken, so another port is tried.
start_daemon() {
    local name=$1 log=$2
    shift 2
    for _ in $(seq 1 20); do
        port=$((20000 + RANDOM % 40000))
        : >"$log"
        MIBS= SNMP_PERSISTENT_DIR="$work/state" SNMPCONFPATH="$work/conf" \
            "$name" "$@" "udp:127.0.0.1:$port" </dev/null >/dev/null 2>&1 &
        local pid=$!
        for _ in $(seq 1 50); do
            if grep -q "NET-SNMP version" "$log"; then
                pids+=("$pid")
                return 0
            fi
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    echo "could not start $name; its log:" >&2
    cat "$log" >&2
    exit 1
}

# Prints a command as typed, then runs it.
show() {
    echo
    printf '$'
    printf ' %q' "$@"
    echo
    "$@"
}

# vigie itself, built in release mode on first use.
vigie() {
    cargo run --release --quiet -p vigie -- "$@"
}

mkdir -p "$work/state/cert_indexes" "$work/conf"

echo "==> building vigie (release; the first build takes a few minutes)"
cargo build --release --quiet -p vigie

# vigie agent on a free loopback port: it is up once it answers a get.
for _ in $(seq 1 20); do
    port=$((20000 + RANDOM % 40000))
    target/release/vigie agent --listen "udp:127.0.0.1:$port" --rocommunity public \
        --rwcommunity private --state-dir "$work/agent" 2>"$work/agent.log" &
    agent_pid=$!
    for _ in $(seq 1 50); do
        if target/release/vigie get -v2c -c public -t 0.1 -r 0 "127.0.0.1:$port" \
            .1.3.6.1.2.1.1.5.0 >/dev/null 2>&1; then
            break 2
        fi
        kill -0 "$agent_pid" 2>/dev/null || break
        sleep 0.1
    done
    kill "$agent_pid" 2>/dev/null || true
    wait "$agent_pid" 2>/dev/null || true
    agent_pid=
done
if [ -z "${agent_pid:-}" ]; then
    echo "could not start vigie agent; its log:" >&2
    cat "$work/agent.log" >&2
    exit 1
fi
pids+=("$agent_pid")
agent=127.0.0.1:$port

cat >"$work/snmptrapd.conf" <<CONF
[snmp] persistentDir $work/state
disableAuthorization yes
CONF
start_daemon snmptrapd "$work/snmptrapd.log" -f -C -n -X -c "$work/snmptrapd.conf" \
    -Lf "$work/snmptrapd.log" -F 'received %P from %b\n%V\n%v\n'
receiver=127.0.0.1:$port

echo
echo "==> vigie agent listens on $agent, snmptrapd on $receiver"

echo
echo "==> walk the system group (names and values come from the MIB modules built into vigie)"
show vigie walk -v2c -c public "$agent" system

echo
echo "==> get two objects by name, then by number with numeric output, then values only"
show vigie get -v2c -c public "$agent" sysName.0 SNMPv2-MIB::sysUpTime.0
show vigie get -v2c -c public -On "$agent" .1.3.6.1.2.1.1.5.0 .1.3.6.1.2.1.1.3.0
show vigie get -v2c -c public -Oqv "$agent" sysName.0 sysUpTime.0

echo
echo "==> set sysContact.0 (writable, and kept across restarts), then sysUpTime.0 (read-only)"
show vigie set -v2c -c private "$agent" sysContact.0 s noc@example.net
show vigie set -v2c -c private "$agent" sysUpTime.0 t 0 ||
    echo "(exit status $?: the agent refused, as snmpset reports it)"

echo
echo "==> the agent's interfaces, from IF-MIB, as a table"
show vigie table -v2c -c public -Cb "$agent" IF-MIB::ifTable

echo
echo "==> send a v2c linkDown trap (ifIndex 3) and an inform to snmptrapd"
show vigie trap -v 2c -c public "$receiver" '' linkDown ifIndex.3 i 3
show vigie inform -v 2c -c public "$receiver" '' linkUp ifIndex.3 i 3
echo "(the inform was acknowledged: vigie inform exited 0)"

# The trap is fire-and-forget: give snmptrapd a moment to log it.
for _ in $(seq 1 50); do
    [ "$(grep -c '^received' "$work/snmptrapd.log")" -ge 2 ] && break
    sleep 0.1
done
echo
echo "==> what snmptrapd logged"
grep -v "NET-SNMP version" "$work/snmptrapd.log"
