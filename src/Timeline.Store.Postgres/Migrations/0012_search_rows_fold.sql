-- 0012: which folding of words the search rows were built with.
--
-- Words are now cut and folded code point by code point as SQLite's FTS5 tokenizer (unicode61, remove_diacritics 2)
-- does (Unicode61 in Timeline.Model), so that a search finds the same events on both engines. Before, the PostgreSQL
-- engine dropped every diacritic (й became и, ά became α), kept µ, ſ, ς and İ as they were (İstanbul folded to
-- Istanbul), cut words at ², ½ and private-use characters, and kept inside words combining marks that unicode61 cuts
-- at. Search rows written before are folded the old way for such characters: right after the SQL migrations, in their
-- transaction, PostgresSearchIndex.RefoldAsync rebuilds every search row of a store whose folding is not the build's,
-- records it here and moves the data version last (SQL cannot do it: the folding is C#'s). At 1,000,000 events that took
-- about 4.5 minutes on the benchmark's 2 cores; replicas of the older build serve meanwhile; their searches
-- and writes wait for the search tables.
--
-- A table of its own rather than a column of store_state: altering store_state would lock it against every read of
-- the older replicas (each reads the data version there) for as long as the rebuild that follows takes.
CREATE TABLE search_rows_fold (
    id   integer PRIMARY KEY CHECK (id = 1),
    fold integer NOT NULL
);
INSERT INTO search_rows_fold (id, fold) VALUES (1, 0);
