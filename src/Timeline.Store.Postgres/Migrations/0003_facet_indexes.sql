-- 0003: what the facets, entity and source reads need beyond 0001 and 0002 (src/Timeline.Store.Postgres/Reads).
-- Facets are counted from an in-memory copy of the live events (loaded by sequential scans, sorted in memory), narrowed
-- by the citations' index by source (citations_source, 0001) and by the search's index (0004); counted by SQL only while
-- a large store's copy reloads, under the filter's own indexes (0002).
-- GET /entities and GET /sources count each entity's and source's live events once per data version: every distinct
-- event of each from the link tables' (key, event_id) indexes (event_entities_entity and citations_source, 0001, walked in
-- order), less the deleted events' links, found from the deleted events by this index. Deleted events are few, so it is small.
CREATE INDEX events_deleted ON events (id) WHERE deleted_at IS NOT NULL;
