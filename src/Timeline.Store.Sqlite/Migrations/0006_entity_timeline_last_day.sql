-- 0006: each entity's events carry their last day in the entity's timeline.
--
-- One entity's events from a date are read from entity_timeline in timeline order; those that began before
-- the date are on the page only if they still go on at it. With the last day beside the number, that is
-- decided from the entity's own rows, and only the events on the page are read from the events table.
-- Kept by the writers with the events' dates (Storage/TimelineOrder.cs).

ALTER TABLE entity_timeline ADD COLUMN last_day TEXT NOT NULL DEFAULT '';
UPDATE entity_timeline SET last_day = (SELECT e.last_day FROM events e WHERE e.seq = entity_timeline.event_seq);
