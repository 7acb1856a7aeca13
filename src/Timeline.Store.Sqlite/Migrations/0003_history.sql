-- 0003: the history of every change. Each write adds one immutable revision in the same transaction:
-- which resource, its version after the change, the action, who (the API key's name, or "seed"/"import"),
-- when (UTC) and the full resulting document in the dataset format. seq grows in commit order (SQLite has
-- one writer at a time), so it is the position of the change feed.

CREATE TABLE revisions (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    resource    TEXT NOT NULL CHECK (resource IN ('source', 'entity', 'event')),
    resource_id TEXT NOT NULL,
    version     INTEGER NOT NULL,
    action      TEXT NOT NULL CHECK (action IN ('create', 'update', 'delete', 'restore')),
    actor       TEXT NOT NULL,
    at          TEXT NOT NULL,
    document    TEXT NOT NULL,
    UNIQUE (resource, resource_id, version)
) STRICT;

-- Nothing may rewrite history.
CREATE TRIGGER revisions_are_immutable BEFORE UPDATE ON revisions
BEGIN
    SELECT RAISE(ABORT, 'revisions are immutable');
END;
