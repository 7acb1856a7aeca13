-- 0002: full-text search and the store's data version.
--
-- The search tables are kept in step with the timeline's tables by Storage/SearchIndex.cs, in the same
-- transaction as every change (explicit maintenance: an event's search row joins its tags and quotes,
-- which triggers on each table could only rebuild row by row). Case and diacritics are folded.

CREATE VIRTUAL TABLE events_fts USING fts5(
    title, summary, tags, quotes,
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE VIRTUAL TABLE entities_fts USING fts5(
    name, aliases, description,
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE VIRTUAL TABLE sources_fts USING fts5(
    title, publisher, text,
    tokenize = 'unicode61 remove_diacritics 2'
);

-- One row: a number that grows with every change to the data, and when that change was made.
-- ETags and response caches are keyed by it.
CREATE TABLE store_state (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    data_version INTEGER NOT NULL,
    updated_at   TEXT NOT NULL
) STRICT;

INSERT INTO store_state (id, data_version, updated_at)
VALUES (1, 1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));

-- The Atom feed lists the most recently changed events.
CREATE INDEX events_updated ON events (updated_at, id) WHERE deleted_at IS NULL;
