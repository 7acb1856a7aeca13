-- 0001: the timeline's tables. Dates are ISO 8601 text; first_day/last_day are the interval of days an
-- event covers (from the first day of its date to the last day of its end date, or of its date).
-- Sources, entities and events carry a version (1 on creation, +1 on every change) and are deleted by
-- tombstone: deleted_at/deleted_by are set and every read leaves them out; nothing is removed.

-- Every table that full-text search indexes has an INTEGER PRIMARY KEY (seq), so that its search rows
-- can be keyed by a rowid that VACUUM never renumbers; ids are the stable, readable public keys.

CREATE TABLE sources (
    seq            INTEGER PRIMARY KEY,
    id             TEXT NOT NULL UNIQUE,
    title          TEXT NOT NULL,
    publisher      TEXT,
    author         TEXT,
    published_date TEXT,
    url            TEXT,
    text           TEXT NOT NULL,
    sha256         TEXT NOT NULL UNIQUE,
    notes          TEXT NOT NULL DEFAULT '[]',
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1,
    deleted_at     TEXT,
    deleted_by     TEXT
) STRICT;

CREATE TABLE entities (
    seq         INTEGER PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    country     TEXT,
    description TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1,
    deleted_at  TEXT,
    deleted_by  TEXT
) STRICT;

CREATE INDEX entities_kind_name ON entities (kind, name) WHERE deleted_at IS NULL;

CREATE TABLE entity_aliases (
    entity_id TEXT NOT NULL REFERENCES entities (id) ON DELETE CASCADE,
    ordinal   INTEGER NOT NULL,
    alias     TEXT NOT NULL,
    PRIMARY KEY (entity_id, ordinal)
) STRICT;

CREATE TABLE events (
    seq            INTEGER PRIMARY KEY,
    id             TEXT NOT NULL UNIQUE,
    date           TEXT NOT NULL,
    date_precision INTEGER NOT NULL CHECK (date_precision IN (0, 1, 2)),
    end_date       TEXT,
    first_day      TEXT NOT NULL,
    last_day       TEXT NOT NULL,
    title          TEXT NOT NULL,
    summary        TEXT NOT NULL,
    category       TEXT NOT NULL,
    caveats        TEXT NOT NULL DEFAULT '[]',
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1,
    deleted_at     TEXT,
    deleted_by     TEXT,
    CHECK (first_day <= last_day)
) STRICT;

-- The timeline's total order (date, coarser precision first, id), alone and under a category, over the
-- events that are not deleted (every read asks for deleted_at IS NULL, so these partial indexes serve it).
-- last_day and category ride along so that date-range counts (facets) read the index alone.
CREATE INDEX events_timeline ON events (first_day, date_precision, id, last_day, category) WHERE deleted_at IS NULL;
CREATE INDEX events_category_timeline ON events (category, first_day, date_precision, id, last_day) WHERE deleted_at IS NULL;

-- The longest interval any event covers, in days: a date-range query can then seek to first_day >=
-- (from - longest span) instead of scanning every earlier event for one whose span reaches the range.
CREATE INDEX events_span ON events (julianday(last_day) - julianday(first_day)) WHERE deleted_at IS NULL;

CREATE TABLE event_tags (
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    tag      TEXT NOT NULL,
    PRIMARY KEY (event_id, tag)
) STRICT, WITHOUT ROWID;

CREATE INDEX event_tags_tag ON event_tags (tag, event_id);

CREATE TABLE event_entities (
    event_id  TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    entity_id TEXT NOT NULL REFERENCES entities (id),
    role      TEXT NOT NULL,
    ordinal   INTEGER NOT NULL,
    PRIMARY KEY (event_id, entity_id, role)
) STRICT, WITHOUT ROWID;

CREATE INDEX event_entities_entity ON event_entities (entity_id, event_id);

CREATE TABLE citations (
    event_id     TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    ordinal      INTEGER NOT NULL,
    source_id    TEXT NOT NULL REFERENCES sources (id),
    quote        TEXT NOT NULL,
    start_offset INTEGER NOT NULL CHECK (start_offset >= 0),
    end_offset   INTEGER NOT NULL CHECK (end_offset > start_offset),
    PRIMARY KEY (event_id, ordinal)
) STRICT;

CREATE INDEX citations_source ON citations (source_id, event_id);
