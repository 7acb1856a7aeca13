-- 0010: the long events' indexes carry the words' signature.
--
-- A search in timeline order from a date starts with the matching events that began before the date and still go on
-- at it, walked on the long events' indexes (migrations 0006 and 0009). Those indexes did not carry the signature of
-- each event's words (migration 0007), so the walk read every long event's row to check it: about 800 buffers for an
-- ascending page of 20 matches of a 1% word at 1,000,000 events, where the same page read descending (on
-- events_timeline, which carries it) takes about 460. With the signature in the index the walk reads the index alone
-- and looks up the search rows of the events whose signature holds the words (Reads/PostgresPagePlanner.cs, Reaching).
DROP INDEX events_long_timeline;
DROP INDEX events_longest_timeline;
DROP INDEX events_long_category_timeline;
DROP INDEX events_longest_category_timeline;

CREATE INDEX events_long_timeline ON events (first_day COLLATE "C", date_precision, id COLLATE "C")
    INCLUDE (last_day, category, seq, words)
    WHERE deleted_at IS NULL AND timeline_span(first_day, last_day) > 31;

CREATE INDEX events_longest_timeline ON events (first_day COLLATE "C", date_precision, id COLLATE "C")
    INCLUDE (last_day, category, seq, words)
    WHERE deleted_at IS NULL AND timeline_span(first_day, last_day) > 366;

CREATE INDEX events_long_category_timeline ON events (category, first_day COLLATE "C", date_precision, id COLLATE "C")
    INCLUDE (last_day, seq, words)
    WHERE deleted_at IS NULL AND timeline_span(first_day, last_day) > 31;

CREATE INDEX events_longest_category_timeline ON events (category, first_day COLLATE "C", date_precision, id COLLATE "C")
    INCLUDE (last_day, seq, words)
    WHERE deleted_at IS NULL AND timeline_span(first_day, last_day) > 366;
