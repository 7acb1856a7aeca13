#!/usr/bin/env python3
"""Prints the benchmark's table from a run directory of tests/Benchmarks/run.sh and writes it as Markdown.

    report.py RUN_DIR [MARKDOWN_OUT]

RUN_DIR holds meta.json (machine and settings), records.jsonl (one JSON object a line: kind "size", "run" or
"export") and rss-SIZE.txt (server RSS samples: unix time in us, VmRSS kB, VmHWM kB).
"""
import json
import os
import re
import sys

QUERIES = [
    ("newest", "newest 50"),
    ("year-category", "one year + one category, 50"),
    ("entity", "one entity's events, 50"),
    ("search", "full text ~1%, date order, 20"),
    ("search-relevance", "full text ~1%, by relevance, 20"),
    ("event", "one event by id"),
    ("facets", "facets category+year, one year"),
    ("csv-year", "CSV export of one year"),
]
# The hostile regime: the costliest anonymous requests the API's bounds still allow (bench.lua says how each is drawn).
HOSTILE = [
    ("h-prefixes", "1-4 dense 3-letter prefixes, date order"),
    ("h-prefixes-rank", "the same and a word, by relevance"),
    ("h-common-rank", "common words joined by OR, by relevance"),
    ("h-search", "/search, common words joined by OR"),
    ("h-not", "the commonest word NOT itself"),
    ("h-search-filtered", "common words under an unknown tag"),
    ("h-facets-all", "every facet, unfiltered, up to 500 values"),
    ("h-facets-deep", "every facet under tags, entities, a source"),
    ("h-facets-search", "every facet over common words joined by OR"),
    ("h-lists-deep", "lists of unknown tags, a source, entities and a tag"),
]
HOSTILE_TARGET_US = 1_000_000
QUERIES = QUERIES + HOSTILE
LABELS = dict(QUERIES)
ORDER = {q: i for i, (q, _) in enumerate(QUERIES)}
REGIMES = {"hot": 0, "mixed": 1, "hostile": 2}
LIST_QUERIES = ["newest", "year-category", "entity", "search", "search-relevance"]
MB = 1_000_000


def load(run_dir):
    with open(os.path.join(run_dir, "meta.json"), encoding="utf-8") as f:
        meta = json.load(f)
    records = []
    path = os.path.join(run_dir, "records.jsonl")
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if line:
                    try:
                        records.append(json.loads(line))
                    except json.JSONDecodeError:
                        print(f"report: skipping an unreadable record: {line[:200]}", file=sys.stderr)
    samples = {}
    for name in os.listdir(run_dir):
        if name.startswith("rss-") and name.endswith(".txt"):
            size = int(name[4:-4])
            rows = []
            with open(os.path.join(run_dir, name), encoding="ascii") as f:
                for line in f:
                    parts = line.split()
                    if len(parts) == 3:
                        rows.append(tuple(int(p) for p in parts))
            samples[size] = rows
    return meta, records, samples


def max_rss_kb(samples, size, t0, t1):
    """The largest RSS sampled between t0 and t1 (us), or None."""
    values = [rss for t, rss, _ in samples.get(size, []) if t0 <= t <= t1]
    return max(values) if values else None


def count(n):
    return f"{n:,}"


def rate(x):
    if x is None:
        return "-"
    return f"{x:,.0f}" if x >= 100 else f"{x:,.1f}"


def millis(us):
    if us is None:
        return "-"
    ms = us / 1000
    if ms >= 1000:
        return f"{ms / 1000:.2f} s"
    if ms >= 100:
        return f"{ms:.0f} ms"
    if ms >= 10:
        return f"{ms:.1f} ms"
    return f"{ms:.2f} ms"


def megabytes(kb):
    return "-" if kb is None else f"{kb * 1024 / MB:.0f} MB"


def size_text(n):
    return f"{n / MB:,.1f} MB" if n >= 100_000 else f"{n / 1000:,.1f} kB"


def seconds(s):
    return "-" if s is None else (f"{s:.1f} s" if s >= 10 else f"{s:.2f} s")


def errors_text(run):
    wrk = run.get("wrk")
    if not wrk:
        return "no result (see the wrk log)"
    e = wrk["errors"]
    total = sum(e.values())
    if total == 0:
        return "0"
    names = {"status": "HTTP 4xx/5xx", "connect": "connect", "read": "read", "write": "write", "timeout": "timeout"}
    parts = [f"{names.get(k, k)} {v:,}" for k, v in e.items() if v]
    return f"{total:,} ({', '.join(parts)})"


def table(headers, rows, markdown):
    if markdown:
        lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join("---" for _ in headers) + " |"]
        lines += ["| " + " | ".join(r) + " |" for r in rows]
        return "\n".join(lines)
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    right = [False, False, True, True, True, True, False, True]
    def fmt(r):
        return "  ".join(c.rjust(w) if i < len(right) and right[i] else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths)))
    return "\n".join([fmt(headers), "  ".join("-" * w for w in widths)] + [fmt(r) for r in rows])


def line(result):
    """One run's figures on one line, for run.sh's progress messages."""
    r = json.loads(result)
    if r["requests"] == 0:
        return f"no request completed within the measurement, errors {sum(r['errors'].values())}"
    return (f"{rate(r['rps'])} req/s, p50 {millis(r['latency_us']['p50'])}, p99 {millis(r['latency_us']['p99'])}, "
            f"errors {sum(r['errors'].values())}")


def main():
    if sys.argv[1] == "--line":
        print(line(sys.argv[2]))
        return
    if sys.argv[1] == "--ceiling":
        print(json.dumps(ceiling_record(sys.argv[2], sys.argv[3])))
        return
    run_dir = sys.argv[1]
    markdown_out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(run_dir, "results.md")
    meta, records, samples = load(run_dir)
    runs = [r for r in records if r.get("kind") == "run"]
    sizes = {r["size"]: r for r in records if r.get("kind") == "size"}
    exports = {r["size"]: r for r in records if r.get("kind") == "export"}
    runs.sort(key=lambda r: (ORDER.get(r["query"], 99), REGIMES.get(r["regime"], 9), r["size"]))

    headers = ["query", "regime", "events", "requests/s", "p50", "p99", "errors", "server max RSS"]
    rows, notes = [], []
    by_key = {}
    hostile_headers = ["hostile query", "events", "requests", "p50", "p99", "worst", "answers", f"worst < {millis(HOSTILE_TARGET_US)}"]
    hostile_rows = []
    for run in [r for r in runs if r["regime"] == "hostile"]:
        wrk = run.get("wrk")
        statuses = (run.get("check") or {}).get("statuses", {})
        answered = bool(wrk and wrk["requests"] > 0)
        worst = wrk["latency_us"]["max"] if answered else None
        ok = answered and worst < HOSTILE_TARGET_US and wrk["errors"]["timeout"] == 0 and wrk["errors"]["status"] == 0
        hostile_rows.append([LABELS.get(run["query"], run["query"]), count(run["size"]), count(wrk["requests"]) if wrk else "-",
                             millis(wrk["latency_us"]["p50"]) if answered else "-", millis(wrk["latency_us"]["p99"]) if answered else "-",
                             millis(worst), ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items())) or "-",
                             "met" if ok else "MISSED"])
        if wrk and wrk["errors"]["status"]:
            notes.append(f"{LABELS.get(run['query'], run['query'])} (hostile, {count(run['size'])} events): {wrk['errors']['status']:,} "
                         f"answers were 4xx/5xx (a bound refused them; see the status check's examples)")
    for run in runs:
        if run["regime"] == "hostile":
            by_key[(run["query"], run["regime"], run["size"])] = run
            if run.get("check"):
                bad = {k: v for k, v in run["check"].get("statuses", {}).items() if k != "200"}
                if bad:
                    notes.append(f"{LABELS.get(run['query'], run['query'])} (hostile, {count(run['size'])} events): the status check saw "
                                 + ", ".join(f"{k}: {v}" for k, v in sorted(run["check"]["statuses"].items()))
                                 + (f", e.g. {'; '.join(run['check'].get('failures', [])[:2])}" if run["check"].get("failures") else ""))
            continue
        wrk = run.get("wrk")
        rss = max_rss_kb(samples, run["size"], run["t0"], run["t1"])
        run["rss_kb"] = rss
        by_key[(run["query"], run["regime"], run["size"])] = run
        answered = bool(wrk and wrk["requests"] > 0)
        rows.append([LABELS.get(run["query"], run["query"]), run["regime"], count(run["size"]),
                     rate(wrk["rps"]) if wrk else "-", millis(wrk["latency_us"]["p50"]) if answered else "-",
                     millis(wrk["latency_us"]["p99"]) if answered else "-", errors_text(run), megabytes(rss)])
        name = f"{LABELS.get(run['query'], run['query'])} ({run['regime']}, {count(run['size'])} events)"
        if wrk and not answered:
            single = run.get("single")
            alone = (f"; one request alone (the hot URL, idle server) took {seconds(single['seconds'])}"
                     f" (HTTP {single['http']}, {size_text(single['bytes'])})") if single else ""
            notes.append(f"{name}: no request completed within the {meta.get('duration')} measurement{alone}")
        # The response cache keeps a URL from its second request on: it serves a real share of a mixed run only when
        # the URLs are drawn more than once each on average.
        if wrk and run["regime"] == "mixed" and wrk["requests"] > wrk.get("values", 0):
            notes.append(f"{name}: {wrk['requests']:,} requests drew from only {wrk.get('values', 0):,} distinct URLs, "
                         f"so a response cache may have served part of them")
        if run.get("drain_ms", 0) >= 2000:
            notes.append(f"{name}: the server went on working {run['drain_ms'] / 1000:.0f} s after wrk stopped, on requests "
                         f"wrk had abandoned (an aborted request's work is not cancelled)")
        check = run.get("check")
        if check:
            bad = {k: v for k, v in check.get("statuses", {}).items() if k != "200"}
            if bad or (check.get("requests", 0) == 0 and answered):
                seen = (", ".join(f"{k}: {v}" for k, v in sorted(check.get("statuses", {}).items()))
                        or "no complete answer within its 2 s on one connection")
                where = "; ".join(check.get("failures", [])[:3])
                notes.append(f"{LABELS.get(run['query'], run['query'])} ({run['regime']}, {count(run['size'])} events): "
                             f"the status check saw {seen}" + (f", e.g. {where}" if where else ""))
        if wrk and wrk["errors"]["timeout"]:
            notes.append(f"{LABELS.get(run['query'], run['query'])} ({run['regime']}, {count(run['size'])} events): "
                         f"{wrk['errors']['timeout']} requests timed out (over {meta.get('wrk_timeout')}); wrk leaves them out of p50/p99")

    size_lines = []
    for size in sorted(sizes):
        s = sizes[size]
        load_s = s.get("load_s")
        cached = " (store reused from an earlier run; FRESH=1 reloads it)" if s.get("load_cached") else ""
        own = f"; the import reported: {s['import_reported']}" if s.get("import_reported") else ""
        eps = f"{size / load_s:,.0f} events/s" if load_s else "-"
        size_lines.append(f"{count(size)} events: load {seconds(load_s)} ({eps}){own}{cached}; "
                          f"first answer {s['ttfa_ms']:,.0f} ms after process start; "
                          + (f"first facet request (it builds the facets' in-memory copy) {s['facets_first_ms']:,.0f} ms; "
                             if s.get("facets_first_ms") is not None else "")
                          + f"server peak RSS (VmHWM) {megabytes(s.get('hwm_kb'))}"
                          + (f"; server log: {s['log_problems']} warning/error lines ({s['log']})" if s.get("log_problems") else ""))
        e = exports.get(size)
        if e:
            during = max_rss_kb(samples, size, e["t0"], e["t1"])
            growth = None if during is None or e.get("rss_before_kb") is None else during - e["rss_before_kb"]
            e["rss_during_kb"], e["growth_kb"] = during, growth
            size_lines.append(
                f"{count(size)} events: full CSV export: HTTP {e['http']}, {e['bytes'] / MB:,.1f} MB in {seconds(e['seconds'])}"
                f" ({(e['bytes'] / MB) / e['seconds'] if e['seconds'] else 0:,.0f} MB/s); server RSS {megabytes(e.get('rss_before_kb'))}"
                f" before, at most {megabytes(during)} during (growth {megabytes(growth)})")

    ceilings = {r["when"]: r for r in records if r.get("kind") == "ceiling" and r.get("rps")}
    if ceilings:
        said = [f"{rate(c['rps'])}/s {when} the runs (p99 {millis(c['p99_us'])})"
                for when, c in sorted(ceilings.items(), key=lambda kv: kv[0] != "before")]
        best = max(c["rps"] for c in ceilings.values())
        size_lines.append(f"ceiling: a bare Kestrel app answering a fixed 20 KB body (tests/Benchmarks/Ceiling), same wrk "
                          f"settings: {' and '.join(said)}; the issue's targets were set on a machine where it answered "
                          f"{rate(KESTREL_CEILING)}/s, so this machine ran at {best / KESTREL_CEILING:.0%} of that")

    targets = evaluate(meta, sizes, exports, by_key, samples)
    header = (f"Timeline benchmark, {meta['date']}, commit {meta['commit']}; {meta['machine']}; "
              f"wrk {meta['threads']} threads, {meta['connections']} connections, {meta['duration']} per query and regime "
              f"(after a {meta['warmup']} warm-up)")

    hostile_intro = (f"Hostile regime: {meta.get('hostile_connections', 4)} connections, {meta['duration']} each, every URL drawn anew; "
                     f"'answers' are the statuses of the 2 s status check on one connection")
    text = [header, "", table(headers, rows, False), ""]
    if hostile_rows:
        text += [hostile_intro, "", table(hostile_headers, hostile_rows, False), ""]
    text += size_lines
    if notes:
        text += ["", "Notes:"] + [f"  - {n}" for n in notes]
    if targets:
        text += ["", targets[0]] + [f"  {mark:<6} {line}" for mark, line in targets[1:]]
    print("\n".join(text))

    md = [f"Measured {meta['date']} at commit `{meta['commit']}` on {meta['machine']}; wrk {meta['threads']} threads, "
          f"{meta['connections']} connections, {meta['duration']} per query and regime after a {meta['warmup']} warm-up "
          f"(`{meta['command']}`).", "", table(headers, rows, True), ""]
    if hostile_rows:
        md += [hostile_intro + ".", "", table(hostile_headers, hostile_rows, True), ""]
    md += [f"- {line}" for line in size_lines]
    if notes:
        md += ["", "Notes:", ""] + [f"- {n}" for n in notes]
    if targets:
        md += ["", targets[0], "", "| | target | measured |", "| --- | --- | --- |"]
        md += [f"| {mark} | {line.split(': ', 1)[0]} | {line.split(': ', 1)[1] if ': ' in line else ''} |" for mark, line in targets[1:]]
    with open(markdown_out, "w", encoding="utf-8") as f:
        f.write("\n".join(md) + "\n")


# The bare-Kestrel figure the targets were set against (46,000 requests/s on its 2-core machine).
KESTREL_CEILING = 46000


def ceiling_record(path, when):
    """The "ceiling" record of a plain wrk run (with --latency) against tests/Benchmarks/Ceiling."""
    text = open(path, encoding="utf-8", errors="replace").read()

    def micros(match):
        return float(match.group(1)) * {"us": 1, "ms": 1000, "s": 1000000}[match.group(2)] if match else None

    rps = re.search(r"Requests/sec:\s*([0-9.]+)", text)
    return {"kind": "ceiling", "when": when, "rps": float(rps.group(1)) if rps else None,
            "p99_us": micros(re.search(r"^\s*99%\s+([0-9.]+)(us|ms|s)\s*$", text, re.M))}


def evaluate(meta, sizes, exports, by_key, samples):
    """The issue's targets (stated for 1,000,000 events), checked at the largest size measured."""
    measured = sorted({k[2] for k in by_key} | set(sizes))
    if not measured:
        return []
    big, small = measured[-1], measured[0]
    title = f"Targets (issue 6), checked at {count(big)} events" + ("" if big == 1_000_000 else " (the targets are stated for 1,000,000)")
    out = [title]

    def run(q, regime, size=big):
        r = by_key.get((q, regime, size))
        return r["wrk"] if r and r.get("wrk") else None

    def verdict(ok):
        return "met" if ok else "MISSED"

    for q, min_rps, max_p99 in [("newest", 5000, 20), ("year-category", 5000, 20), ("entity", 5000, 20),
                                ("event", 15000, None), ("search", 500, 50), ("facets", 300, 50),
                                ("search-relevance", None, 100)]:
        w = run(q, "mixed")
        if not w:
            continue
        want = " and ".join(x for x in [f">= {min_rps:,}/s" if min_rps else "", f"p99 < {max_p99} ms" if max_p99 else ""] if x)
        ok = (min_rps is None or w["rps"] >= min_rps) and (max_p99 is None or w["latency_us"]["p99"] < max_p99 * 1000)
        ok = ok and sum(w["errors"].values()) == 0 and w["requests"] > 0
        measured = (f"{rate(w['rps'])}/s, p99 {millis(w['latency_us']['p99'])}" if w["requests"]
                    else "no request completed")
        out.append((verdict(ok), f"mixed, {LABELS[q]}, {want}: {measured}"
                    + (f", {sum(w['errors'].values())} errors" if sum(w["errors"].values()) else "")))
    for q in LIST_QUERIES:
        w = run(q, "hot")
        if w:
            out.append((verdict(w["rps"] >= 23000 and sum(w["errors"].values()) == 0),
                        f"hot, {LABELS[q]}, >= 23,000/s: {rate(w['rps'])}/s"))
    if big != small:
        for q in ["newest", "year-category", "entity", "event"]:
            for regime in ["hot", "mixed"]:
                a, b = run(q, regime, small), run(q, regime, big)
                if a and b and a["rps"] > 0:
                    ratio = b["rps"] / a["rps"]
                    out.append((verdict(ratio >= 0.8), f"flat, {regime} {LABELS[q]}, {count(big)} within 20% of {count(small)}: "
                                f"{rate(b['rps'])}/s vs {rate(a['rps'])}/s ({ratio:.0%})"))
    s = sizes.get(big)
    if s and s.get("load_s"):
        ok = s["load_s"] < 60 if big >= 1_000_000 else big / s["load_s"] >= 1_000_000 / 60
        out.append((verdict(ok), f"load, 1,000,000 events in < 60 s (>= 16,667 events/s): {count(big)} in {seconds(s['load_s'])}"
                    f" ({big / s['load_s']:,.0f} events/s)"))
    if s and s.get("ttfa_ms") is not None:
        out.append((verdict(s["ttfa_ms"] < 1500), f"first answer on an existing store, < 1.5 s: {s['ttfa_ms']:,.0f} ms"))
    peaks = [v.get("hwm_kb") for v in sizes.values() if v.get("hwm_kb")]
    if peaks:
        peak = max(peaks)
        out.append((verdict(peak * 1024 < 300 * MB), f"server RSS < 300 MB during the whole benchmark: peak {megabytes(peak)} (VmHWM)"))
    e = exports.get(big)
    if e and e.get("growth_kb") is not None:
        growth = e["growth_kb"] * 1024
        ok = e["http"] == 200 and growth < 64 * MB
        compared = ""
        first = exports.get(small)
        if big != small and first and first.get("growth_kb") is not None:
            ok = ok and growth - first["growth_kb"] * 1024 < 32 * MB
            compared = f" ({megabytes(first['growth_kb'])} for the {first['bytes'] / MB:,.0f} MB of {count(small)} events)"
        small_print = " (too small an export to show buffering)" if e["bytes"] < 256 * MB else ""
        out.append((verdict(ok), f"CSV export of every event in constant memory (RSS grows < 64 MB, and < 32 MB more than "
                    f"for the smallest store): {e['bytes'] / MB:,.0f} MB exported, RSS grew {megabytes(e['growth_kb'])}"
                    f"{compared}{small_print}"))
    return out


if __name__ == "__main__":
    main()
