-- 0005: the events that last long, indexed on their own.
--
-- A list from a date in timeline order starts with the events that began before that date and are still
-- going on it. Any event may have begun as far back as the longest one lasts (years), so without these
-- indexes such a page walks every event of those years to find the few that reach the date. An event that
-- began more than 31 days before the date lasts more than 31 days, and one that began more than 366 days
-- before lasts more than 366 days: the list reads those stretches from these indexes, which hold about 13%
-- and 3% of the events (Events/EventQueries.cs, TimelineSql).

CREATE INDEX events_long_timeline ON events (first_day, date_precision, id, last_day, category)
    WHERE deleted_at IS NULL AND julianday(last_day) - julianday(first_day) > 31;
CREATE INDEX events_longest_timeline ON events (first_day, date_precision, id, last_day, category)
    WHERE deleted_at IS NULL AND julianday(last_day) - julianday(first_day) > 366;
CREATE INDEX events_long_category_timeline ON events (category, first_day, date_precision, id, last_day)
    WHERE deleted_at IS NULL AND julianday(last_day) - julianday(first_day) > 31;
CREATE INDEX events_longest_category_timeline ON events (category, first_day, date_precision, id, last_day)
    WHERE deleted_at IS NULL AND julianday(last_day) - julianday(first_day) > 366;
