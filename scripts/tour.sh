#!/usr/bin/env bash
# A tour of vigie on this machine, in one command:
#
#     bash scripts/tour.sh
#
# It installs snmpd and snmptrapd when missing (Debian packages; as root or through sudo),
# starts a throwaway snmpd and snmptrapd on free loopback ports (never 161/162), and runs
# vigie against them: a walk of the system group, gets, sets, a trap and an inform, then shows
# what snmptrapd received. Everything it starts is stopped, and its files removed, on exit.
set -euo pipefail

cd "$(dirname "$0")/.."
bash scripts/install-peers.sh snmpd snmptrapd

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

cat >"$work/snmpd.conf" <<CONF
[snmp] persistentDir $work/state
rocommunity public 127.0.0.1
rwcommunity private 127.0.0.1
sysDescr vigie tour agent
sysName tour-agent
sysLocation Server room, rack 4
CONF
start_daemon snmpd "$work/snmpd.log" -f -C -c "$work/snmpd.conf" -I -smux -Lf "$work/snmpd.log"
agent=127.0.0.1:$port

cat >"$work/snmptrapd.conf" <<CONF
[snmp] persistentDir $work/state
disableAuthorization yes
CONF
start_daemon snmptrapd "$work/snmptrapd.log" -f -C -n -X -c "$work/snmptrapd.conf" \
    -Lf "$work/snmptrapd.log" -F 'received %P from %b\n%V\n%v\n'
receiver=127.0.0.1:$port

echo "==> building vigie (release; the first build takes a few minutes)"
cargo build --release --quiet -p vigie

echo
echo "==> snmpd listens on $agent, snmptrapd on $receiver"

echo
echo "==> walk the system group (.1.3.6.1.2.1.1: no MIB is loaded yet, so OIDs are numeric)"
show vigie walk -v2c -c public "$agent" .1.3.6.1.2.1.1

echo
echo "==> get two objects: sysName.0 and sysUpTime.0, then the same, values only"
show vigie get -v2c -c public "$agent" .1.3.6.1.2.1.1.5.0 .1.3.6.1.2.1.1.3.0
show vigie get -v2c -c public -Oqv "$agent" .1.3.6.1.2.1.1.5.0 .1.3.6.1.2.1.1.3.0

echo
echo "==> set sysContact.0 (writable: the configuration does not fix it), then sysName.0 (fixed)"
show vigie set -v2c -c private "$agent" .1.3.6.1.2.1.1.4.0 s noc@example.net
show vigie set -v2c -c private "$agent" .1.3.6.1.2.1.1.5.0 s other-name ||
    echo "(exit status $?: the agent refused, as snmpset reports it)"

echo
echo "==> send a v2c linkDown trap (ifIndex 3) and an inform to snmptrapd"
show vigie trap -v 2c -c public "$receiver" '' .1.3.6.1.6.3.1.1.5.3 .1.3.6.1.2.1.2.2.1.1.3 i 3
show vigie inform -v 2c -c public "$receiver" '' .1.3.6.1.6.3.1.1.5.4 .1.3.6.1.2.1.2.2.1.1.3 i 3
echo "(the inform was acknowledged: vigie inform exited 0)"

# The trap is fire-and-forget: give snmptrapd a moment to log it.
for _ in $(seq 1 50); do
    [ "$(grep -c '^received' "$work/snmptrapd.log")" -ge 2 ] && break
    sleep 0.1
done
echo
echo "==> what snmptrapd logged"
grep -v "NET-SNMP version" "$work/snmptrapd.log"
