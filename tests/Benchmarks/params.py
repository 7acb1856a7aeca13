#!/usr/bin/env python3
"""Writes the parameter lists bench.lua draws from, read from the store under test (or, failing that, its dataset).

    params.py --db STORE.db --dataset DATASET.json --out DIR [--seed 42]

DIR receives one value a line: entities.txt (entity ids that have events, most events first), events.txt (every
event id, or 1,000,000 spread over a larger store), words.txt (words found in 0.5-2% of events, from the full-text
index's own vocabulary, so a mixed search costs about what the ~1% marker word does), categories.txt, and
meta.txt (key=value: the hot values and the counts, for the log).
"""
import argparse
import json
import os
import random
import re
import sqlite3
import sys
from collections import Counter

MAX_EVENTS = 1_000_000
MAX_WORDS = 2_000
MARKER = "lithography"
CATEGORIES = ["sanction", "entity-listing", "export-control", "product-launch",
              "corporate", "statement", "analysis", "industry-event"]
WORD = re.compile(r"^[a-z]{4,}$")
OPERATORS = {"and", "or", "not", "near"}


def from_store(db):
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        live = "deleted_at IS NULL"
        count = connection.execute(f"SELECT count(*) FROM events WHERE {live}").fetchone()[0]
        if count == 0:
            raise RuntimeError("the store has no events")
        entities = connection.execute(
            "SELECT ee.entity_id, count(*) AS n FROM event_entities ee JOIN entities e ON e.id = ee.entity_id "
            f"WHERE e.{live} GROUP BY ee.entity_id ORDER BY n DESC, ee.entity_id").fetchall()
        step = max(1, count // MAX_EVENTS)
        events = [r[0] for r in connection.execute(
            f"SELECT id FROM events WHERE {live} AND seq % ? = 0 ORDER BY seq LIMIT ?", (step, MAX_EVENTS))]
        categories = [r[0] for r in connection.execute("SELECT DISTINCT category FROM events ORDER BY category")]
        years = connection.execute("SELECT min(substr(first_day, 1, 4)), max(substr(first_day, 1, 4)) FROM events").fetchone()
        connection.execute("CREATE VIRTUAL TABLE temp.bench_vocab USING fts5vocab(main, events_fts, row)")
        low, high = max(2, count // 200), max(3, count // 50)
        words = [r[0] for r in connection.execute(
            "SELECT term FROM temp.bench_vocab WHERE doc BETWEEN ? AND ? ORDER BY term", (low, high))]
        marker = connection.execute("SELECT doc FROM temp.bench_vocab WHERE term = ?", (MARKER,)).fetchone()
        return dict(source="store", count=count, entities=entities, events=events, categories=categories,
                    year_min=int(years[0]), year_max=int(years[1]), words=words, marker_docs=marker[0] if marker else 0)
    finally:
        connection.close()


def from_dataset(path):
    with open(path, encoding="utf-8") as file:
        document = json.load(file)
    all_events = document["events"]
    count = len(all_events)
    linked = Counter(link["id"] for e in all_events for link in e.get("entities") or [])
    entities = sorted(linked.items(), key=lambda item: (-item[1], item[0]))
    step = max(1, count // MAX_EVENTS)
    events = [e["id"] for e in all_events[::step][:MAX_EVENTS]]
    sample = all_events[:50_000]
    docs = Counter()
    for e in sample:
        text = " ".join([e.get("title") or "", e.get("summary") or "", " ".join(e.get("tags") or []),
                         " ".join(c.get("quote") or "" for c in e.get("citations") or [])])
        docs.update(set(re.findall(r"[a-z0-9]+", text.lower())))
    n = len(sample)
    words = sorted(w for w, d in docs.items() if n // 200 <= d <= max(3, n // 50))
    years = [int(e["date"][:4]) for e in all_events]
    return dict(source="dataset", count=count, entities=entities, events=events,
                categories=sorted({e["category"] for e in all_events}), year_min=min(years), year_max=max(years),
                words=words, marker_docs=docs.get(MARKER, 0) * count // max(1, n))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()

    try:
        found = from_store(args.db)
    except Exception as error:  # a schema this script does not know: read the dataset file instead
        print(f"params: cannot read the store ({error}); reading the dataset file instead", file=sys.stderr)
        found = from_dataset(args.dataset)

    words = [w for w in found["words"] if WORD.match(w) and w not in OPERATORS and w != MARKER]
    if len(words) > MAX_WORDS:
        words = sorted(random.Random(args.seed).sample(words, MAX_WORDS))
    if not words:
        words = [MARKER]
    entities = [e for e, _ in found["entities"]]
    events = found["events"]
    categories = found["categories"] or CATEGORIES
    if not entities or not events:
        sys.exit("params: the store has no entity links or no events to draw from")
    year_min = max(1000, found["year_min"])
    year_max = max(year_min + 1, found["year_max"])
    hot_year = 2020 if year_min <= 2020 <= year_max else (year_min + year_max) // 2
    meta = {
        "source": found["source"], "events_in_store": found["count"], "marker": MARKER,
        "marker_docs": found["marker_docs"], "words": len(words), "entities": len(entities),
        "event_sample": len(events), "year_min": year_min, "year_max": year_max, "hot_year": hot_year,
        "hot_category": "sanction" if "sanction" in categories else categories[0],
        "hot_entity": entities[0], "hot_entity_events": found["entities"][0][1], "hot_event": events[len(events) // 2],
    }

    os.makedirs(args.out, exist_ok=True)
    for name, values in [("entities.txt", entities), ("events.txt", events), ("words.txt", words),
                         ("categories.txt", categories), ("meta.txt", [f"{k}={v}" for k, v in meta.items()])]:
        with open(os.path.join(args.out, name), "w", encoding="utf-8") as file:
            file.write("\n".join(str(v) for v in values) + "\n")
    print(" ".join(f"{k}={v}" for k, v in meta.items()))


if __name__ == "__main__":
    main()
