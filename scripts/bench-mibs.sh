#!/usr/bin/env bash
# The MIB compiler's start-up next to Net-SNMP's (issue 6, item 7): the criterion bench
# `vigie-mib/benches/load.rs` (built-in modules, Net-SNMP's standard set, the whole shared
# corpus), then, in the same run, `snmptranslate -Tp -m ALL` and `vigie translate -Tp -m ALL`
# on the same directory (each the median of RUNS runs, process start included), and the ratios.
#
# Usage: bash scripts/bench-mibs.sh [path/to/shared/mibs]   (default ../shared/mibs)
# RUNS=n sets the runs of the snmptranslate timing (default 20). Needs Net-SNMP's `snmp`
# package for snmptranslate.
set -euo pipefail

cd "$(dirname "$0")/.."
mibs="$(cd "${1:-../shared/mibs}" && pwd)"
runs="${RUNS:-20}"
netsnmp="$mibs/netsnmp"

if ! command -v snmptranslate >/dev/null; then
    echo "snmptranslate is missing: apt-get install snmp" >&2
    exit 1
fi

echo "== criterion: vigie-mib (VIGIE_MIBS=$mibs)"
VIGIE_MIBS="$mibs" cargo bench -p vigie-mib --bench load -- --noplot 2>&1 \
    | grep -E '^(builtin|netsnmp_all|corpus/corpus_all)|time:' | tee "${TMPDIR:-/tmp}/bench-mibs.$$"

cargo build --release -q -p vigie
vigie="target/release/vigie"

# The median wall time of `runs` runs of a command, in milliseconds.
median_ms() {
    local times=()
    for _ in $(seq "$runs"); do
        local start end
        start=$(date +%s%N)
        "$@" >/dev/null 2>&1 || true
        end=$(date +%s%N)
        times+=($(( (end - start) / 1000 )))
    done
    printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]/1000}'
}

echo
echo "== whole processes, $runs runs each, median (-Tp -m ALL -M $netsnmp)"
net=$(median_ms snmptranslate -Tp -m ALL -M "$netsnmp")
vig=$(median_ms "$vigie" translate -Tp -m ALL -M "$netsnmp")
echo "snmptranslate -Tp: ${net} ms"
echo "vigie translate -Tp: ${vig} ms"
awk -v n="$net" -v v="$vig" 'BEGIN { if (v > 0) printf "ratio snmptranslate / vigie: %.1fx\n", n / v }'

# The criterion figure for the standard set against snmptranslate's whole process.
load=$(awk '/^netsnmp_all/ {f=1} f && /time:/ {print $(NF-3), $(NF-2); exit}' "${TMPDIR:-/tmp}/bench-mibs.$$")
rm -f "${TMPDIR:-/tmp}/bench-mibs.$$"
echo "vigie-mib load_all of the standard set (criterion median): $load"
