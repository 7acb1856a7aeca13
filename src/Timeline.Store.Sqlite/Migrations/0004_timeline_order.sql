-- 0004: the events table kept in timeline order, and read copies that spare lists random lookups.
--
-- From here on, the seq (rowid) of every live event follows the timeline's order (first_day,
-- date_precision, id): Storage/TimelineOrder.cs keeps it so on every write. Rows that follow each other
-- on the timeline then sit on the same pages, and the full-text index (keyed by seq) yields its
-- matches in timeline order, so a page of matches is read without sorting every match.

-- The event's tags, sorted, as a JSON array: a list reads them from the row instead of one lookup per event.
-- event_tags stays the table that filters and facets use.
ALTER TABLE events ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
UPDATE events SET tags = (SELECT json_group_array(tag) FROM (SELECT t.tag FROM event_tags t WHERE t.event_id = events.id ORDER BY t.tag));

-- Renumber every event in timeline order, 2^20 apart from 2^40 on, leaving room to insert between any two.
-- (Negative first, so that no new number meets an old one.)
UPDATE events SET seq = -seq - 1;
UPDATE events SET seq = 1099511627776 + 1048576 * r.n
FROM (SELECT seq AS old, ROW_NUMBER() OVER (ORDER BY first_day, date_precision, id) - 1 AS n FROM events) AS r
WHERE events.seq = r.old;

-- The search rows follow their events' new numbers (as Storage/SearchIndex.cs builds them).
DELETE FROM events_fts;
INSERT INTO events_fts (rowid, title, summary, tags, quotes)
SELECT e.seq,
       e.title,
       e.summary,
       COALESCE((SELECT group_concat(t.tag, ' ') FROM event_tags t WHERE t.event_id = e.id), ''),
       COALESCE((SELECT group_concat(c.quote, ' … ') FROM citations c WHERE c.event_id = e.id), '')
FROM events e
WHERE e.deleted_at IS NULL;

-- Each entity's events in timeline order (one row per entity and event, whatever the roles): one entity's
-- page of events is a seek into this table. Kept by the writers with the events' numbers.
CREATE TABLE entity_timeline (
    entity_id TEXT NOT NULL,
    event_seq INTEGER NOT NULL,
    PRIMARY KEY (entity_id, event_seq)
) STRICT, WITHOUT ROWID;

INSERT INTO entity_timeline (entity_id, event_seq)
SELECT DISTINCT ee.entity_id, e.seq FROM event_entities ee JOIN events e ON e.id = ee.event_id;
