-- 0011: ids, codes, dates and instants compare byte by byte (COLLATE "C").
--
-- These columns are compared, joined and sorted by the store, never shown in an order of their own language: ids,
-- hashes, categories, tags, roles, kinds, resource and action names, actors, partial dates and UTC instants. The
-- SQLite engine compares them byte by byte (BINARY), the API orders ids ordinally, and the timeline's indexes already
-- seek them with COLLATE "C" (migration 0002). Under a database's linguistic collation (en_US.UTF-8, or even
-- C.UTF-8), PostgreSQL compares text through strcoll() and cannot sort it by abbreviated keys: building the unique
-- index of a million events' ids took 3.7 s that way and 1.5 s byte by byte, the revisions' key 5.3 s and 2.6 s, and
-- every lookup by id descends its index with strcoll() at each step. Equality does not change (every collation here is
-- deterministic), and the free text (titles, summaries, names, quotes, documents) keeps the database's collation.
--
-- The indexes on these columns are rebuilt and the foreign keys checked again; the rows are not rewritten.
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
