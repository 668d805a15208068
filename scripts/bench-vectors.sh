#!/usr/bin/env bash
# Captures the Net-SNMP encodings that vigie-bench's fixture is checked against
# (crates/bench/vectors/*.der; the tests in crates/bench/src/fixture.rs compare them).
#
# snmptrap -d prints the datagram it sends; nothing needs to listen on the port. The v2c trap
# carries the 50 varbinds of the GetBulk fixture (its sysUpTime.0 is the trap's uptime
# argument), with snmpTrapOID.0 inserted second, as RFC 3416 §4.2.6 requires.
set -euo pipefail

out="$(cd "$(dirname "$0")/.." && pwd)/crates/bench/vectors"
port=16299

# Turns `snmptrap -d` hex dump lines ("0000: 30 81 84 02 ...  text") into raw bytes.
dump_to_bytes() {
    python3 -c '
import re, sys
data = bytearray()
for line in sys.stdin:
    m = re.match(r"^\d{4}: ((?:[0-9A-F]{2}\s+)+)", line)
    if m:
        data += bytes.fromhex("".join(m.group(1).split()))
sys.stdout.buffer.write(data)'
}

snmptrap -v1 -c public -d -m '' "127.0.0.1:$port" \
    1.3.6.1.4.1.8072.3.2.10 192.0.2.10 2 0 123456789 \
    1.3.6.1.2.1.2.2.1.1.3 i 3 \
    1.3.6.1.2.1.2.2.1.7.3 i 1 \
    1.3.6.1.2.1.2.2.1.8.3 i 2 \
    1.3.6.1.2.1.2.2.1.2.3 s GigabitEthernet1/0/3 2>&1 | dump_to_bytes >"$out/netsnmp_trap_v1.der"

varbinds=(1.3.6.1.2.1.1.2.0 o 1.3.6.1.4.1.9.1.1745)
for row in 1 2 3 4 5 6 7 8; do
    speed=1000000000
    if ((row % 2 == 0)); then speed=4294967295; fi
    varbinds+=(
        "1.3.6.1.2.1.2.2.1.2.$row" s "GigabitEthernet1/0/$row"
        "1.3.6.1.2.1.2.2.1.3.$row" i 6
        "1.3.6.1.2.1.2.2.1.5.$row" u "$speed"
        "1.3.6.1.2.1.2.2.1.10.$row" c "$((3000000000 + row * 123457))"
        "1.3.6.1.2.1.31.1.1.1.6.$row" C "$((987654321012 * row))"
        "1.3.6.1.2.1.4.20.1.1.192.0.2.$row" a "192.0.2.$row"
    )
done
snmptrap -v2c -c public -d -m '' "127.0.0.1:$port" 123456789 1.3.6.1.6.3.1.1.5.3 \
    "${varbinds[@]}" 2>&1 | dump_to_bytes >"$out/netsnmp_v2trap_50.der"

ls -l "$out"
