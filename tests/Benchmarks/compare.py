#!/usr/bin/env python3
"""The two engines side by side, from the run directories of one `ENGINES="sqlite postgres" bash tests/Benchmarks/run.sh`.

    compare.py MARKDOWN_OUT ENGINE=RUN_DIR ENGINE=RUN_DIR

Prints, for every query, regime and size both runs measured, each engine's requests/s and p99 and PostgreSQL's share of
SQLite's rate; then issue 15's targets for PostgreSQL at the largest size (lists, one event and facets at least 50% of
SQLite's requests/s, full-text search in date order at least 30%, p99 under 50 ms at 32 connections), and each
engine's load time and ceiling. Writes the same as Markdown.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import report  # noqa: E402  (the labels, the loader and the number formats of the one-engine report)

TARGETS = [("newest", 0.5), ("year-category", 0.5), ("entity", 0.5), ("event", 0.5), ("facets", 0.5), ("search", 0.3)]
P99_TARGET_MS = 50


def runs_of(run_dir):
    meta, records, _ = report.load(run_dir)
    runs = {(r["query"], r["regime"], r["size"]): r for r in records if r.get("kind") == "run" and r.get("wrk")}
    sizes = {r["size"]: r for r in records if r.get("kind") == "size"}
    ceilings = [r for r in records if r.get("kind") == "ceiling" and r.get("rps")]
    return meta, runs, sizes, ceilings


def main():
    out = sys.argv[1]
    engines = dict(a.split("=", 1) for a in sys.argv[2:])
    if set(engines) != {"sqlite", "postgres"}:
        sys.exit("compare.py needs a sqlite and a postgres run")
    data = {e: runs_of(d) for e, d in engines.items()}
    s_meta, s_runs, s_sizes, s_ceil = data["sqlite"]
    p_meta, p_runs, p_sizes, p_ceil = data["postgres"]
    keys = sorted(set(s_runs) & set(p_runs), key=lambda k: (report.ORDER.get(k[0], 99), report.REGIMES.get(k[1], 9), k[2]))

    headers = ["query", "regime", "events", "SQLite req/s", "SQLite p99", "PostgreSQL req/s", "PostgreSQL p99", "PostgreSQL / SQLite"]
    rows = []
    for k in keys:
        s, p = s_runs[k]["wrk"], p_runs[k]["wrk"]
        share = f"{p['rps'] / s['rps']:.0%}" if s["rps"] else "-"
        rows.append([report.LABELS.get(k[0], k[0]), k[1], report.count(k[2]), report.rate(s["rps"]), report.millis(s["latency_us"]["p99"]),
                     report.rate(p["rps"]), report.millis(p["latency_us"]["p99"]), share])

    lines = [f"# Both engines side by side ({p_meta.get('date', '')}, commit {p_meta.get('commit', '')})", "",
             f"SQLite run: {s_meta.get('machine', '')}", "", f"PostgreSQL run: {p_meta.get('machine', '')}", ""]
    lines += report.table(headers, rows, markdown=True).splitlines()
    lines.append("")

    big = max((k[2] for k in keys), default=None)
    if big is not None:
        lines.append(f"## Issue 15's targets for PostgreSQL, at {report.count(big)} events (mixed regime, 32 connections)")
        lines.append("")
        for q, share in TARGETS:
            s, p = s_runs.get((q, "mixed", big)), p_runs.get((q, "mixed", big))
            if not s or not p:
                continue
            s, p = s["wrk"], p["wrk"]
            ratio = p["rps"] / s["rps"] if s["rps"] else 0
            errors = sum(p["errors"].values())
            ok = ratio >= share and p["latency_us"]["p99"] < P99_TARGET_MS * 1000 and errors == 0 and p["requests"] > 0
            lines.append(f"- {'met' if ok else 'MISSED'}: {report.LABELS.get(q, q)}: >= {share:.0%} of SQLite's requests/s and p99 < {P99_TARGET_MS} ms: "
                         f"{report.rate(p['rps'])}/s vs {report.rate(s['rps'])}/s ({ratio:.0%}), p99 {report.millis(p['latency_us']['p99'])}"
                         + (f", {errors} errors" if errors else ""))
        lines.append("")
    lines.append("## Loads and ceilings")
    lines.append("")
    for name, sizes in (("SQLite", s_sizes), ("PostgreSQL", p_sizes)):
        for n in sorted(sizes):
            z = sizes[n]
            if z.get("load_s"):
                lines.append(f"- {name}, {report.count(n)} events: import {report.seconds(z['load_s'])} ({n / z['load_s']:,.0f} events/s)"
                             + (" (loaded in an earlier run)" if z.get("load_cached") else "")
                             + f", store {z['store_bytes'] / report.MB:,.0f} MB, first answer {z['ttfa_ms']:,} ms, server peak RSS {report.megabytes(z['hwm_kb'])}")
    for name, ceilings in (("SQLite", s_ceil), ("PostgreSQL", p_ceil)):
        if ceilings:
            lines.append(f"- ceiling during the {name} run: " + ", ".join(f"{c['when']} {report.rate(c['rps'])}/s" for c in ceilings))
    text = "\n".join(lines) + "\n"
    print(text)
    with open(out, "w", encoding="utf-8") as f:
        f.write(text)


if __name__ == "__main__":
    main()
