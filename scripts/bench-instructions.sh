#!/usr/bin/env bash
# Instructions per codec operation, counted by callgrind: a figure that, unlike wall time,
# does not move with the load of the machine (rustls' ci-bench does the same).
#
# For each message, operation and codec, runs crates/bench/examples/instructions.rs under
# `valgrind --tool=callgrind` with N iterations and with 0, and prints (I(N) - I(0)) / N.
# Usage: bash scripts/bench-instructions.sh [N]   (default 2000)
set -euo pipefail

cd "$(dirname "$0")/.."
iterations="${1:-2000}"
codecs=(vigie vigie-view rasn-snmp snmp-parser snmp2 async-snmp csnmp)

command -v valgrind >/dev/null || { echo "valgrind is missing: apt-get install valgrind" >&2; exit 1; }
cargo build --quiet --profile bench -p vigie-bench --example instructions
binary=target/release/examples/instructions

# Prints the instructions callgrind collected for one run, or "n/a" when the codec cannot do it.
collected() {
    local log status=0
    log=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$binary" "$@" 2>&1) || status=$?
    if [[ $status -eq 3 ]]; then
        echo n/a
        return
    fi
    if [[ $status -ne 0 ]]; then
        echo "instructions $* failed:" >&2
        echo "$log" >&2
        exit 1
    fi
    sed -n 's/.*Collected : \([0-9]*\).*/\1/p' <<<"$log"
}

printf '%-32s %-12s %14s %10s\n' benchmark codec instructions 'vs vigie'
for message in getbulk_response_50 trap_v1; do
    for operation in decode encode; do
        vigie=""
        for codec in "${codecs[@]}"; do
            full=$(collected "$codec" "$operation" "$message" "$iterations")
            if [[ $full == n/a ]]; then
                printf '%-32s %-12s %14s %10s\n' "$operation/$message" "$codec" n/a ""
                continue
            fi
            base=$(collected "$codec" "$operation" "$message" 0)
            per_op=$(((full - base) / iterations))
            [[ $codec == vigie ]] && vigie=$per_op
            ratio=$(awk -v a="$per_op" -v b="$vigie" 'BEGIN { if (b > 0) printf "%.2fx", a / b }')
            printf '%-32s %-12s %14d %10s\n' "$operation/$message" "$codec" "$per_op" "$ratio"
        done
    done
done
