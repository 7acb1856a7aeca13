-- 0002: the indexes the reads of lists, one event, exports and neighbours need (src/Timeline.Store.Postgres/Reads).
-- The timeline's total order is (first_day, date_precision, id) compared byte by byte, as SQLite compares text: every
-- read orders and seeks with COLLATE "C", whatever the database's own collation, and these indexes are built with it.
-- Deleted events are never listed, so the timeline's indexes hold the live events only.

-- The timeline: pages in either direction, keyset cursors, `to` bounds, and the walk that checks each event against
-- filters whose events are many.
CREATE INDEX events_timeline ON events (first_day COLLATE "C", date_precision, id COLLATE "C")
    WHERE deleted_at IS NULL;

-- One category's timeline; a list of several categories merges one ordered scan of each.
CREATE INDEX events_category_timeline ON events (category, first_day COLLATE "C", date_precision, id COLLATE "C")
    WHERE deleted_at IS NULL;

-- The days an event covers, as a range: a `from` date reaches back to the events that began before it and still go on
-- at it (a GiST stab, however long the longest event), and the neighbours of an event are the events overlapping its
-- days. Dates are ISO text of years 1000 to 9999, which every DateStyle reads the same: the cast is immutable for them.
CREATE FUNCTION timeline_days(first_day text, last_day text) RETURNS daterange
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT daterange(first_day::date, last_day::date, '[]') $$;

-- It covers what the filters and the order read, so the events of a stab are found and sorted from the index alone
-- and only a page's rows are read.
CREATE INDEX events_days ON events USING gist (timeline_days(first_day, last_day))
    INCLUDE (seq, first_day, date_precision, id, category, last_day)
    WHERE deleted_at IS NULL;

-- The live events by id, covering what the filters and the order read: the few events of a tag, an entity or a source
-- (event_tags_tag, event_entities_entity, citations_source, from 0001) are checked and sorted without reading their rows.
CREATE INDEX events_id_timeline ON events (id)
    INCLUDE (seq, first_day, date_precision, last_day, category)
    WHERE deleted_at IS NULL;

-- The Atom feed: the most recently changed live events.
CREATE INDEX events_recently_changed ON events (updated_at COLLATE "C" DESC, id COLLATE "C" DESC)
    WHERE deleted_at IS NULL;

