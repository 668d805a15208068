#!/usr/bin/env bash
# Instructions per SNMPv3 authPriv operation (benches/v3.rs), counted by callgrind: runs
# crates/bench/examples/v3_instructions.rs with N iterations and with 0 and prints
# (I(N) - I(0)) / N, vigie against async-snmp, as scripts/bench-instructions.sh does for the
# codec. Under valgrind the hash and cipher crates may take other code paths than on the CPU
# (valgrind does not emulate every instruction-set extension): compare libraries, not these
# counts with wall time.
# Usage: bash scripts/bench-v3-instructions.sh [N]   (default 1000)
set -euo pipefail

cd "$(dirname "$0")/.."
iterations="${1:-1000}"
command -v valgrind >/dev/null || { echo "valgrind is missing: apt-get install valgrind" >&2; exit 1; }
cargo build --quiet --profile bench -p vigie-bench --example v3_instructions
binary=target/release/examples/v3_instructions

collected() {
    local log status=0
    log=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$binary" "$@" 2>&1) || status=$?
    if [[ $status -eq 3 ]]; then echo n/a; return; fi
    if [[ $status -ne 0 ]]; then echo "v3_instructions $* failed:" >&2; echo "$log" >&2; exit 1; fi
    sed -n 's/.*Collected : \([0-9]*\).*/\1/p' <<<"$log"
}

printf '%-30s %-14s %-11s %12s %9s\n' benchmark suite library instructions 'vs vigie'
for message in getbulk_response_50 trap_v1; do
    for operation in encode decode; do
        for suite in sha256_aes128 sha1_aes128 sha1_des md5_des; do
            vigie=""
            for library in vigie async-snmp; do
                full=$(collected "$library" "$operation" "$message" "$suite" "$iterations")
                if [[ $full == n/a ]]; then
                    printf '%-30s %-14s %-11s %12s\n' "$operation/$message" "$suite" "$library" n/a
                    continue
                fi
                base=$(collected "$library" "$operation" "$message" "$suite" 0)
                per_op=$(((full - base) / iterations))
                [[ $library == vigie ]] && vigie=$per_op
                ratio=$(awk -v a="$per_op" -v b="$vigie" 'BEGIN { if (b > 0) printf "%.2fx", a / b }')
                printf '%-30s %-14s %-11s %12d %9s\n' "$operation/$message" "$suite" "$library" "$per_op" "$ratio"
            done
        done
    done
done
