#!/usr/bin/env bash
# The five-minute tour of `vigie serve`, in one command:
#
#     bash scripts/tour.sh
#
# It builds vigie, starts a local SMTP relay that prints what it receives (aiosmtpd, installed
# from PyPI when missing) and `vigie serve` on free loopback ports (never 161/162) with a
# temporary data directory and a configuration that mails every linkDown to the relay. Then
# it walks the built-in agent with `vigie walk`, lists the devices and interfaces through the
# HTTP API, sends a linkDown trap with `vigie trap`, shows the alarm through the API and the
# e-mail the relay printed. Everything it starts is stopped, and its files removed, on exit.
#
# VIGIE_TOUR_PROFILE=dev uses a debug build (faster to build, slower to run).
set -euo pipefail

cd "$(dirname "$0")/.."
bash scripts/install-python-peers.sh aiosmtpd

profile=${VIGIE_TOUR_PROFILE:-release}
case "$profile" in
    release) build=(--release) bin=target/release/vigie ;;
    dev) build=() bin=target/debug/vigie ;;
    *) echo "VIGIE_TOUR_PROFILE is release or dev" >&2; exit 2 ;;
esac

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

# A port the kernel just handed out on 127.0.0.1: free_port tcp|udp.
free_port() {
    python3 - "$1" <<'EOF'
import socket, sys
kind = socket.SOCK_STREAM if sys.argv[1] == "tcp" else socket.SOCK_DGRAM
s = socket.socket(socket.AF_INET, kind)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
EOF
}

# Prints a command as typed, then runs it.
show() {
    echo
    printf '$'
    printf ' %q' "$@"
    echo
    "$@"
}

# GET on the API with the token; the JSON, as `d`, goes to the Python code read from stdin.
api_py='
import json, sys, urllib.request
http, token, path = sys.argv[1:]
request = urllib.request.Request(f"http://{http}{path}",
                                 headers={"Authorization": f"Bearer {token}"})
d = json.load(urllib.request.urlopen(request, timeout=10))
exec(sys.stdin.read())
'
api() {
    python3 -c "$api_py" "$http" "$token" "$1"
}

echo "==> building vigie ($profile; a first release build takes a few minutes)"
cargo build "${build[@]}" --quiet -p vigie

smtp=$(free_port tcp)
http=127.0.0.1:$(free_port tcp)
traps=127.0.0.1:$(free_port udp)
agent=127.0.0.1:$(free_port udp)

echo "==> an SMTP relay on 127.0.0.1:$smtp that prints every message"
python3 -u -m aiosmtpd -n -c aiosmtpd.handlers.Debugging -l "127.0.0.1:$smtp" \
    >"$work/relay.out" 2>&1 &
pids+=("$!")
# vigie probes the relay as it starts: let the relay listen first, so health shows it UP.
for _ in $(seq 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$smtp") 2>/dev/null && break
    sleep 0.1
done

cat >"$work/vigie.toml" <<EOF
[poller]
interval = "5s"

[smtp]
host = "127.0.0.1"
port = $smtp
encryption = "none"
from = "vigie@localhost"

[[actions]]
name = "mail-noc"
kind = "email"
to = ["noc@example.net"]

[[rules]]
name = "links-to-noc"
actions = ["mail-noc"]
notifications = ["IF-MIB::linkDown"]
group_wait = "0s"
EOF
echo "==> the configuration, $work/vigie.toml:"
sed 's/^/    /' "$work/vigie.toml"

echo "==> vigie serve: HTTP on $http, traps on udp:$traps, the built-in agent on udp:$agent"
"$bin" serve --config "$work/vigie.toml" --data-dir "$work/data" \
    --http "$http" --traps "$traps" --agent "$agent" 2>"$work/serve.log" &
pids+=("$!")
for _ in $(seq 1 100); do
    python3 -c "import urllib.request; urllib.request.urlopen('http://$http/api/v1/health', timeout=5)" \
        2>/dev/null && break
    sleep 0.2
done
show curl -s "http://$http/api/v1/health"
echo

token=$("$bin" token create tour --data-dir "$work/data" 2>/dev/null)
echo
echo "==> an API token, from \`vigie token create tour --data-dir $work/data\`: ${token:0:12}…"

show "$bin" walk -v2c -c public "$agent" system

# Discovery runs at the first poll, right after the start.
for _ in $(seq 1 50); do
    count=$(api /api/v1/devices/1/interfaces <<<'print(len(d["items"]))' 2>/dev/null || echo 0)
    [ "$count" -gt 0 ] && break
    sleep 0.2
done
echo
echo "==> GET http://$http/api/v1/devices (with the token), as a table:"
api /api/v1/devices <<'EOF'
for x in d["items"]:
    print(f"{x['id']:>3}  {x['name']:<10} {x['address']}:{x['port']}  {x['sys_descr']}")
EOF
echo
echo "==> GET http://$http/api/v1/devices/1/interfaces (with the token), as a table:"
api /api/v1/devices/1/interfaces <<'EOF'
print(f"{'ifIndex':>7}  {'ifName':<10} {'admin':>5} {'oper':>4} {'ifHCInOctets':>14}")
for i in d["items"]:
    octets = i.get("values", {}).get("ifHCInOctets", "-")
    print(f"{i['if_index']:>7}  {i['if_name']:<10} {i['admin_status']:>5} {i['oper_status']:>4} {octets:>14}")
EOF

show "$bin" trap -v2c -c public "$traps" '' IF-MIB::linkDown \
    IF-MIB::ifIndex.2 i 2 IF-MIB::ifAdminStatus.2 i 1 IF-MIB::ifOperStatus.2 i 2

for _ in $(seq 1 50); do
    open=$(api /api/v1/alarms <<<'print(sum(1 for a in d["items"] if a["key"].startswith("linkDown/")))')
    [ "$open" -gt 0 ] && break
    sleep 0.1
done
echo
echo "==> GET http://$http/api/v1/alarms (with the token), as a table:"
api /api/v1/alarms <<'EOF'
for a in d["items"]:
    print(f"#{a['id']} {a['state']:<7} {a['severity']:<8} {a['device']:<10} {a['text']}")
EOF

for _ in $(seq 1 100); do
    grep -q "END MESSAGE" "$work/relay.out" && break
    sleep 0.1
done
echo
echo "==> the e-mail, as the relay printed it:"
sed 's/^/    /' "$work/relay.out"

echo
echo "==> stopping vigie serve (SIGTERM: a clean shutdown) and the relay"
