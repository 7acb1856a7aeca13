-- 0011: ids, codes, dates and instants compare byte by byte (COLLATE "C").
--
-- These columns are compared, joined and sorted by the store, never shown in an order of their own language: ids,
-- hashes, categories, tags, roles, kinds, resource and action names, actors, partial dates and UTC instants. The
-- SQLite engine compares them byte by byte (BINARY), the API orders ids ordinally, and the timeline's indexes already
-- seek them with COLLATE "C" (migration 0002). Under any other collation PostgreSQL compares text through the
-- locale's rules at every step of an index's build and descent: an index of a million events' ids built in 2.0-2.1 s
-- under C.UTF-8 (the benchmark's database), 2.1-2.5 s under ICU's en-US and 1.2-1.9 s byte by byte (libc's en_US.UTF-8,
-- the official image's default, also gives up abbreviated keys). Equality does not change (every collation here is
-- deterministic), and the free text (titles, summaries, names, quotes, documents) keeps the database's collation.
--
-- The indexes on these columns are rebuilt and the foreign keys checked again; the rows are not rewritten. At 1,000,000
-- events that took about 50 s, with the tables locked meanwhile (the replicas' reads wait for it).
ALTER TABLE sources
    ALTER COLUMN id TYPE text COLLATE "C",
    ALTER COLUMN sha256 TYPE text COLLATE "C",
    ALTER COLUMN published_date TYPE text COLLATE "C",
    ALTER COLUMN document_number TYPE text COLLATE "C",
    ALTER COLUMN effective_date TYPE text COLLATE "C",
    ALTER COLUMN created_at TYPE text COLLATE "C",
    ALTER COLUMN updated_at TYPE text COLLATE "C",
    ALTER COLUMN deleted_at TYPE text COLLATE "C",
    ALTER COLUMN deleted_by TYPE text COLLATE "C";

ALTER TABLE entities
    ALTER COLUMN id TYPE text COLLATE "C",
    ALTER COLUMN kind TYPE text COLLATE "C",
    ALTER COLUMN country TYPE text COLLATE "C",
    ALTER COLUMN created_at TYPE text COLLATE "C",
    ALTER COLUMN updated_at TYPE text COLLATE "C",
    ALTER COLUMN deleted_at TYPE text COLLATE "C",
    ALTER COLUMN deleted_by TYPE text COLLATE "C";

ALTER TABLE entity_aliases
    ALTER COLUMN entity_id TYPE text COLLATE "C";

ALTER TABLE events
    ALTER COLUMN id TYPE text COLLATE "C",
    ALTER COLUMN date TYPE text COLLATE "C",
    ALTER COLUMN end_date TYPE text COLLATE "C",
    ALTER COLUMN first_day TYPE text COLLATE "C",
    ALTER COLUMN last_day TYPE text COLLATE "C",
    ALTER COLUMN category TYPE text COLLATE "C",
    ALTER COLUMN created_at TYPE text COLLATE "C",
    ALTER COLUMN updated_at TYPE text COLLATE "C",
    ALTER COLUMN deleted_at TYPE text COLLATE "C",
    ALTER COLUMN deleted_by TYPE text COLLATE "C";

ALTER TABLE event_tags
    ALTER COLUMN event_id TYPE text COLLATE "C",
    ALTER COLUMN tag TYPE text COLLATE "C";

ALTER TABLE event_entities
    ALTER COLUMN event_id TYPE text COLLATE "C",
    ALTER COLUMN entity_id TYPE text COLLATE "C",
    ALTER COLUMN role TYPE text COLLATE "C";

ALTER TABLE entity_timeline
    ALTER COLUMN entity_id TYPE text COLLATE "C",
    ALTER COLUMN event_id TYPE text COLLATE "C",
    ALTER COLUMN first_day TYPE text COLLATE "C",
    ALTER COLUMN last_day TYPE text COLLATE "C";

ALTER TABLE citations
    ALTER COLUMN event_id TYPE text COLLATE "C",
    ALTER COLUMN source_id TYPE text COLLATE "C";

ALTER TABLE event_links
    ALTER COLUMN event_id TYPE text COLLATE "C",
    ALTER COLUMN kind TYPE text COLLATE "C",
    ALTER COLUMN target_id TYPE text COLLATE "C";

ALTER TABLE former_ids
    ALTER COLUMN resource TYPE text COLLATE "C",
    ALTER COLUMN former_id TYPE text COLLATE "C",
    ALTER COLUMN current_id TYPE text COLLATE "C";

ALTER TABLE revisions
    ALTER COLUMN resource TYPE text COLLATE "C",
    ALTER COLUMN resource_id TYPE text COLLATE "C",
    ALTER COLUMN action TYPE text COLLATE "C",
    ALTER COLUMN actor TYPE text COLLATE "C",
    ALTER COLUMN at TYPE text COLLATE "C";

-- A column's new collation drops its statistics (and those of the expression indexes on it); autovacuum would not
-- gather them again until enough rows change, and until then the planner guesses (one event by id ran at a twelfth
-- of its rate). Gathered here, in the same transaction.
ANALYZE sources, entities, entity_aliases, events, event_tags, event_entities, entity_timeline, citations, event_links, former_ids, revisions;
