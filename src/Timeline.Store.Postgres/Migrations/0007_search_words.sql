-- 0007: a signature of each live event's words on its own row (events.words), so that a list of a search in timeline
-- order, which walks the timeline and checks each event on the way, skips from the row it already reads the events that
-- cannot match, and looks up the search row (event_search, migration 0004) only of the few that may.
--
-- The signature is 512 bits; each word of the event's search row sets three of them, chosen by the MD5 of the word's
-- UTF-8 bytes (its first three 16-bit groups, each modulo 512). An event can hold every word of a search only if its
-- signature has every bit of the search's words; about 1.5% of the events that lack a word of ~50 still pass, and
-- the search row decides. Search/PostgresSearchWords.cs computes the same bits in C# (tested equal to this function),
-- and every writer of the search rows keeps the column: a NULL signature (none computed) lets every search through to
-- the search row, so it can only cost time, never a match.
CREATE FUNCTION timeline_words(lexemes text[]) RETURNS bit(512)
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$
    SELECT COALESCE(bit_or(set_bit(set_bit(set_bit(repeat('0', 512)::bit(512),
               ('x' || substr(h, 1, 4))::bit(16)::integer & 511, 1),
               ('x' || substr(h, 5, 4))::bit(16)::integer & 511, 1),
               ('x' || substr(h, 9, 4))::bit(16)::integer & 511, 1)),
           repeat('0', 512)::bit(512))
    FROM (SELECT md5(convert_to(l, 'UTF8')) AS h FROM unnest(lexemes) AS l) w
    $$;

ALTER TABLE events ADD COLUMN words bit(512);

-- The events indexed before this migration: their signatures from their search rows (about 4 minutes a million events
-- on 2 cores; once).
UPDATE events e SET words = timeline_words(tsvector_to_array(s.document)) FROM event_search s WHERE s.seq = e.seq;

-- The texts an event's snippet is picked from that are not on its own row, kept on its search row beside the words
-- built from them (Search/PostgresSearchRows.cs): its quotes (" … " between them, in order) and the names and aliases of
-- the entities it involves ("name ; alias" each, " ; " between them, in the order of their first role), so that a page
-- of matches reads them with one lookup by key instead of aggregating citations, links, entities and aliases for
-- every event it lists. Every writer of the search rows writes them from the same texts as the words. The rows of the
-- events indexed before this migration get theirs here, with the GIN index made afresh afterwards (faster than keeping
-- it up row by row).
ALTER TABLE event_search ADD COLUMN quotes text, ADD COLUMN names text;

DROP INDEX event_search_document;

UPDATE event_search s
SET quotes = (SELECT string_agg(c.quote, ' … ' ORDER BY c.ordinal) FROM citations c WHERE c.event_id = e.id),
    names = array_to_string(ARRAY(
        SELECT n.name || COALESCE((SELECT ' ; ' || string_agg(a.alias, ' ; ' ORDER BY a.ordinal) FROM entity_aliases a WHERE a.entity_id = n.id), '')
        FROM (SELECT l.entity_id, min(l.ordinal) AS first FROM event_entities l WHERE l.event_id = e.id GROUP BY l.entity_id) g
        JOIN entities n ON n.id = g.entity_id
        ORDER BY g.first, g.entity_id), ' ; ')
FROM events e
WHERE e.seq = s.seq;

CREATE INDEX event_search_document ON event_search USING gin (document);

-- The timeline's index carries what a walk checks besides the order (the last day, the signature, and the number by
-- which a search row is looked up), so that a walk for a search reads the index alone and only the page's rows from
-- the table.
DROP INDEX events_timeline;

CREATE INDEX events_timeline ON events (first_day COLLATE "C", date_precision, id COLLATE "C")
    INCLUDE (last_day, seq, words)
    WHERE deleted_at IS NULL;
