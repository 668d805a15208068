#!/usr/bin/env python3
"""Draws the soak's CSV (scripts/reliability-campaign.py soak) as a PNG and prints each
curve's least-squares slope per hour, over the whole run and after the first 10 minutes
(the warm-up: caches, SQLite pages, the alarm book filling).

    python3 scripts/reliability-plot.py docs/reliability/soak.csv docs/reliability/soak.png

Needs matplotlib (Debian: python3-matplotlib) for the PNG; the slopes are printed without it.
"""

import csv
import sys


def slope_per_hour(xs, ys):
    points = [(x, y) for x, y in zip(xs, ys) if y is not None]
    if len(points) < 2:
        return None, None
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    if sxx == 0:
        return None, my
    sxy = sum((x - mx) * (y - my) for x, y in points)
    return sxy / sxx * 60.0, my


def column(rows, name):
    out = []
    for row in rows:
        value = row.get(name, "")
        out.append(float(value) if value not in ("", None) else None)
    return out


def main():
    source, target = sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None
    with open(source) as f:
        rows = list(csv.DictReader(f))
    minutes = [float(r["minute"]) for r in rows]
    curves = [("rss_kib", "resident memory (MiB)", 1 / 1024),
              ("rss_anon_kib", "anonymous resident memory (MiB)", 1 / 1024),
              ("fds", "open fds", 1),
              ("api_p99_ms", "API p99 (ms)", 1), ("inform_p99_ms", "inform→stored p99 (ms)", 1)]
    # Soaks recorded before the anonymous/file split have no rss_anon_kib column.
    curves = [c for c in curves if any(v is not None for v in column(rows, c[0]))]
    print(f"{len(rows)} samples")
    for name, label, scale in curves:
        ys = [None if v is None else v * scale for v in column(rows, name)]
        whole, mean = slope_per_hour(minutes, ys)
        late = [(x, y) for x, y in zip(minutes, ys) if x > 10]
        after, _ = slope_per_hour([x for x, _ in late], [y for _, y in late])
        fmt = lambda v: "n/a" if v is None else f"{v:+.2f}"
        print(f"{label:<26} mean {mean:.2f}  slope/h {fmt(whole)}  after 10 min {fmt(after)}")
    if target is None:
        return
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(len(curves), 1, figsize=(9, 10), sharex=True)
    for ax, (name, label, scale) in zip(axes, curves):
        ys = [None if v is None else v * scale for v in column(rows, name)]
        ax.plot([m for m, y in zip(minutes, ys) if y is not None],
                [y for y in ys if y is not None], marker=".", linewidth=1)
        ax.set_ylabel(label)
        ax.set_ylim(bottom=0)
        ax.grid(True, alpha=0.3)
    axes[-1].set_xlabel("minute")
    fig.suptitle("vigie serve, soak under mixed load (loopback)")
    fig.tight_layout()
    fig.savefig(target, dpi=80)
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
