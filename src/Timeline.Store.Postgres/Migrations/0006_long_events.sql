-- 0006: the events that last long, indexed on their own (as the SQLite engine's migration 0005).
--
-- A list from a date in timeline order starts with the events that began before the date and still go on at it. Any
-- event may have begun as far back as the longest one lasts (years), and a stab of the GiST index of the days events
-- cover finds all of them (thousands, on a date many long events cover) before the first page can be sorted out of
-- them. With these indexes a page walks, in timeline order, the last 31 days before the date on the timeline, the 335
-- days before those on the events that last more than 31 days, and everything earlier on those that last more than
-- 366 days (Reads/PostgresPagePlanner.cs), keeping the events that still go on at the date and stopping when the page is
-- full. They carry what the walk checks (the last day and the category) and the event's number.

-- An event's length in days (its last day minus its first). Dates are ISO text of years 1000 to 9999, which every
-- DateStyle reads the same: the cast is immutable for them (as timeline_days of migration 0002).
CREATE FUNCTION timeline_span(first_day text, last_day text) RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT last_day::date - first_day::date $$;

CREATE INDEX events_long_timeline ON events (first_day COLLATE "C", date_precision, id COLLATE "C")
    INCLUDE (last_day, category, seq)
    WHERE deleted_at IS NULL AND timeline_span(first_day, last_day) > 31;

CREATE INDEX events_longest_timeline ON events (first_day COLLATE "C", date_precision, id COLLATE "C")
    INCLUDE (last_day, category, seq)
    WHERE deleted_at IS NULL AND timeline_span(first_day, last_day) > 366;

-- The longest live event's length (how far back before a date the walk of the longest events starts), at the end of
-- this index.
CREATE INDEX events_span ON events (timeline_span(first_day, last_day)) WHERE deleted_at IS NULL;
