-- 0009: links between events.
--
-- An event may list events it is related to (`related`) and name the one it supersedes (`supersedes`); both are kept
-- in its document (revisions, exports) and here, one row per link, so that the event shows them and the linked event
-- shows the inverse (relatedFrom, supersededBy) by a seek on the target. A link names an id as written: when the
-- target is later merged into or renamed as another event, the id is a former id of that event (former_ids) and the
-- readers follow it there. Kept by the writers (Writes/EventLinks.cs, Writes/BulkEventWriter.cs).

CREATE TABLE event_links (
    event_id  TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    kind      TEXT NOT NULL CHECK (kind IN ('related', 'supersedes')),
    target_id TEXT NOT NULL,
    ordinal   INTEGER NOT NULL,
    PRIMARY KEY (event_id, kind, target_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX event_links_target ON event_links (target_id, kind, event_id);
