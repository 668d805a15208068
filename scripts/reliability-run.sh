#!/usr/bin/env bash
# Reruns the reliability campaigns of docs/reliability.md ("Overload", "Crash safety",
# "Soak") against a release build, with the parameters the recorded figures came from:
#
#     bash scripts/reliability-run.sh crash        # 50 SIGKILL rounds, seeded (SEED=…)
#     bash scripts/reliability-run.sh overload     # trap flood, agent flood, slow HTTP clients
#     bash scripts/reliability-run.sh soak         # one hour; CSV and PNG in docs/reliability/
#
# Needs python3 with aiosmtpd (installed from PyPI when missing), Debian's snmpd, and for the
# soak's plot python3-matplotlib. Everything runs on 127.0.0.1 at free ports; each process
# started is stopped by PID. The load generator is scripts/reliability-campaign.py.
set -euo pipefail

cd "$(dirname "$0")/.."
bash scripts/install-python-peers.sh aiosmtpd
cargo build --release --quiet -p vigie
bin=target/release/vigie
campaign=(python3 scripts/reliability-campaign.py)

case "${1:-}" in
    crash)
        seed=()
        [ -n "${SEED:-}" ] && seed=(--seed "$SEED")
        "${campaign[@]}" crash --bin "$bin" --rounds "${ROUNDS:-50}" --strict-mail "${seed[@]}"
        ;;
    overload)
        "${campaign[@]}" flood --bin "$bin" --seconds 20 --senders 3 --floods 3
        "${campaign[@]}" agentflood --bin "$bin" --seconds 20 --senders 3
        "${campaign[@]}" slow --bin "$bin" --connections 3000 --seconds 25
        ;;
    soak)
        "${campaign[@]}" soak --bin "$bin" --minutes "${MINUTES:-60}" --sample 60 \
            --trap-rate 40 --inform-rate 10 --api-rate 4 --csv docs/reliability/soak.csv
        # Debian's python3-matplotlib serves /usr/bin/python3, which may not be the first python3.
        plot=python3
        python3 -c 'import matplotlib' 2>/dev/null || plot=/usr/bin/python3
        "$plot" scripts/reliability-plot.py docs/reliability/soak.csv docs/reliability/soak.png
        ;;
    *)
        echo "usage: $0 crash|overload|soak" >&2
        exit 2
        ;;
esac
