-- 0004: full-text search (Search/PostgresSearchIndex.cs keeps these rows in step with the tables, in every writer's
-- transaction). Each live event, entity and source has one row with its words as a tsvector, built in C#: the text cut
-- into words and folded (lower case, no diacritics, every CJK character a word) by the model's SearchText, the same fold
-- the SQLite engine's FTS5 index applies, with positions (for phrases) and weights (for relevance):
--   events:   title A, summary B, tags C, quotes, references and the names and aliases of its entities D;
--   entities: name A, aliases B, description D;
--   sources:  title A, publisher C, text D.
-- Searches are tsqueries of the same folded words (Search/PostgresTsQuery.cs), answered through the GIN indexes.
CREATE TABLE event_search (
    seq      bigint PRIMARY KEY,
    document tsvector NOT NULL
);

CREATE INDEX event_search_document ON event_search USING gin (document);

CREATE TABLE entity_search (
    seq      bigint PRIMARY KEY,
    document tsvector NOT NULL
);

CREATE INDEX entity_search_document ON entity_search USING gin (document);

CREATE TABLE source_search (
    seq      bigint PRIMARY KEY,
    document tsvector NOT NULL
);

CREATE INDEX source_search_document ON source_search USING gin (document);

-- How many live events hold each word: what the search budget weighs a search by (the SQLite engine reads it from
-- FTS5's vocabulary). Byte order (COLLATE "C"), so that a prefix's words are one range of the primary key.
CREATE TABLE search_terms (
    term      text COLLATE "C" PRIMARY KEY,
    documents bigint NOT NULL
);
