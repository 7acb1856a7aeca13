#!/usr/bin/env python3
"""Writes the parameter lists bench.lua draws from, read from the store under test (or, failing that, its dataset).

    params.py --db STORE.db --dataset DATASET.json --out DIR [--seed 42]

DIR receives one value a line: entities.txt (entity ids that have events, most events first), events.txt (every
event id, or 1,000,000 spread over a larger store), words.txt (words found in 0.5-2% of events, from the full-text
index's own vocabulary, so a mixed search costs about what the ~1% marker word does), categories.txt, and
meta.txt (key=value: the hot values and the counts, for the log).

For the hostile regime (the costliest searches the API's bounds still allow, Search/SearchBudget.cs), also from the
vocabulary: prefix_sets.txt (1-4 prefixes of 3 letters whose weighted index entries come as close to the read bound as
they can: 4 x their events <= 1,950,000), rank_prefix_sets.txt (the same within 950,000: a ranked search may read half
as many), rank_sets.txt (up to 4 of the commonest words joined by OR, matching at most
48,000 events, or 16 matching at most 12,000: the ranking bound is 50,000, counted once more for every four terms
beyond four), search_sets.txt (the same within half: GET /search ranks half as many), facet_sets.txt (up to
16 joined by OR within 48,000: the facets' bound is 50,000), filtered_sets.txt (within 9,500: a search under other
filters may match a fifth as many),
tags.txt (every tag) and sources.txt (up to 2,000 source ids); meta.txt names the commonest word (top_word).
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
TERM = re.compile(r"^[a-z0-9]{2,}$")
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
        vocabulary = connection.execute("SELECT term, doc FROM temp.bench_vocab").fetchall()
        tags = [r[0] for r in connection.execute("SELECT DISTINCT tag FROM event_tags ORDER BY tag")]
        sources = [r[0] for r in connection.execute("SELECT id FROM sources WHERE deleted_at IS NULL ORDER BY seq LIMIT 2000")]
        return dict(source="store", count=count, entities=entities, events=events, categories=categories,
                    year_min=int(years[0]), year_max=int(years[1]), words=words, marker_docs=marker[0] if marker else 0,
                    vocabulary=vocabulary, tags=tags, sources=sources)
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


PREFIX_WEIGHT = 4          # Search/SearchBudget.cs: a prefix's index entries count 4 times
READ_BOUND = 1_950_000     # under Timeline:SearchReadLimit (2,000,000)
RANK_READ_BOUND = 950_000  # under half of it, for a ranked search, leaving room for one word
RANK_BOUND = 48_000        # under Timeline:SearchRankLimit (50,000)
SEARCH_BOUND = 24_000      # under half of it, for GET /search
FACET_BOUND = 48_000       # under Timeline:SearchFacetLimit (50,000)
FILTERED_BOUND = 9_500     # under a fifth of it, for a search listed under other filters
MAX_TERMS = 16
SETS = 200


def hostile_sets(vocabulary, seed):
    """The costliest searches the bounds allow: dense prefix sets, and common words joined by OR."""
    rng = random.Random(seed)
    prefixes = Counter()
    for term, doc in vocabulary:
        if len(term) >= 3 and term[:3].isalpha():
            prefixes[term[:3]] += doc
    def prefix_sets_within(bound):
        dense = [(p, d) for p, d in prefixes.most_common(200) if PREFIX_WEIGHT * d <= bound]
        sets = []
        for _ in range(SETS * 20):
            if len(sets) >= SETS or not dense:
                break
            chosen, total = [], 0
            for p, d in rng.sample(dense, min(len(dense), 12)):
                if len(chosen) < 4 and PREFIX_WEIGHT * (total + d) <= bound:
                    chosen.append(p)
                    total += d
            if chosen and PREFIX_WEIGHT * total >= 0.75 * bound:
                sets.append(" ".join(f"{p}*" for p in chosen))
        return sets

    prefix_sets = prefix_sets_within(READ_BOUND)
    rank_prefix_sets = prefix_sets_within(RANK_READ_BOUND)
    common = sorted(((t, d) for t, d in vocabulary if TERM.match(t) and t not in OPERATORS), key=lambda r: -r[1])

    def or_sets(bound, terms, count, pool_size=300):
        pool = [(t, d) for t, d in common if d <= bound][:pool_size]
        sets = []
        for _ in range(count):
            chosen, total = [], 0
            for t, d in rng.sample(pool, len(pool)):
                if len(chosen) < terms and total + d <= bound:
                    chosen.append(t)
                    total += d
            if chosen:
                sets.append(" OR ".join(chosen))
        return sets

    # Ranking counts the matches once more for every four terms beyond four: 4 common words up to the bound, or 16
    # words up to a quarter of it, cost about the same.
    def ranked(bound):
        sets = or_sets(bound, 4, SETS // 2) + or_sets(bound // 4, MAX_TERMS, SETS // 2)
        rng.shuffle(sets)
        return sets

    top = common[0][0] if common else MARKER
    return dict(prefix_sets=prefix_sets, rank_prefix_sets=rank_prefix_sets, rank_sets=ranked(RANK_BOUND),
                search_sets=ranked(SEARCH_BOUND), facet_sets=or_sets(FACET_BOUND, MAX_TERMS, SETS),
                filtered_sets=or_sets(FILTERED_BOUND, MAX_TERMS, SETS), top_word=top)


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

    hostile = hostile_sets(found.get("vocabulary", []), args.seed)
    meta["top_word"] = hostile.pop("top_word")
    tags = found.get("tags") or ["no-tag"]
    sources = found.get("sources") or ["no-source"]

    os.makedirs(args.out, exist_ok=True)
    lists = [("entities.txt", entities), ("events.txt", events), ("words.txt", words), ("categories.txt", categories),
             ("tags.txt", tags), ("sources.txt", sources)]
    lists += [(f"{name}.txt", values or ["lit*" if "prefix" in name else MARKER]) for name, values in hostile.items()]
    lists.append(("meta.txt", [f"{k}={v}" for k, v in meta.items()]))
    for name, values in lists:
        with open(os.path.join(args.out, name), "w", encoding="utf-8") as file:
            file.write("\n".join(str(v) for v in values) + "\n")
    print(" ".join(f"{k}={v}" for k, v in meta.items()))


if __name__ == "__main__":
    main()
