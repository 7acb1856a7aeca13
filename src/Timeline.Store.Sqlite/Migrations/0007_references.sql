-- 0007: references to the public record, sources' official fields, former ids and standalone entities.
--
-- An event's references (documents of the public record not stored in full: title, publisher, date, URL,
-- official citation, Federal Register document number, what each supports) are kept with the event as a JSON
-- array in the dataset format, as its caveats are; the search index holds their titles, citations and
-- document numbers (Storage/SearchIndex.cs). A source may carry the official fields of a published document.
-- A record renamed keeps its former ids in former_ids, so that a GET of an old id answers 301 to the new one.

ALTER TABLE events ADD COLUMN refs TEXT NOT NULL DEFAULT '[]';

ALTER TABLE sources ADD COLUMN citation TEXT;
ALTER TABLE sources ADD COLUMN document_number TEXT;
ALTER TABLE sources ADD COLUMN effective_date TEXT;
ALTER TABLE sources ADD COLUMN agencies TEXT NOT NULL DEFAULT '[]';
ALTER TABLE sources ADD COLUMN document_type TEXT;

-- A Federal Register document is one source: imports find it by its document number.
CREATE INDEX sources_document_number ON sources (document_number) WHERE document_number IS NOT NULL;

ALTER TABLE entities ADD COLUMN standalone INTEGER NOT NULL DEFAULT 0 CHECK (standalone IN (0, 1));

-- Each former id leads to one record of its kind (the one that lists it); the current id is never a former one.
CREATE TABLE former_ids (
    resource   TEXT NOT NULL CHECK (resource IN ('source', 'entity', 'event')),
    former_id  TEXT NOT NULL,
    current_id TEXT NOT NULL,
    ordinal    INTEGER NOT NULL,
    PRIMARY KEY (resource, former_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX former_ids_current ON former_ids (resource, current_id, ordinal);
