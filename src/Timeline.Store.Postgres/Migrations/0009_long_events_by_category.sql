-- 0009: the events that last long, indexed again by category.
--
-- A list of one category from a date starts with the events of that category that began before the date and still go
-- on at it. On the indexes of migration 0006 that walk passes over the long events of every category (about 5,000
-- index entries for an ascending page of a year at 1,000,000 events), keeping the one category's. On these, each
-- category's long events are walked on their own, in timeline order (Reads/PostgresPagePlanner.cs, Reaching).
CREATE INDEX events_long_category_timeline ON events (category, first_day COLLATE "C", date_precision, id COLLATE "C")
    INCLUDE (last_day, seq)
    WHERE deleted_at IS NULL AND timeline_span(first_day, last_day) > 31;

CREATE INDEX events_longest_category_timeline ON events (category, first_day COLLATE "C", date_precision, id COLLATE "C")
    INCLUDE (last_day, seq)
    WHERE deleted_at IS NULL AND timeline_span(first_day, last_day) > 366;
