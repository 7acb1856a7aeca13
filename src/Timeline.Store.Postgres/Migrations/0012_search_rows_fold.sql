-- 0012: which folding of words the search rows were built with.
--
-- Words are now cut and folded code point by code point as SQLite's FTS5 tokenizer (unicode61, remove_diacritics 2)
-- does (Unicode61 in Timeline.Model), so that a search finds the same events on both engines. Before, the PostgreSQL
-- engine dropped every diacritic (й became и, ά became α), kept µ, ſ, ς and İ as they were (İstanbul folded to
-- Istanbul), cut words at ², ½ and private-use characters, and kept inside words combining marks that unicode61 cuts
-- at. Search rows written before are folded the old way for such characters: the store's initializer
-- (PostgresStoreInitializer) rebuilds every search row once, at the first start of a build that knows this column,
-- under the store's write lock, and records the folding here. SQL cannot do it: the folding is C#'s.
ALTER TABLE store_state ADD COLUMN search_rows_fold integer NOT NULL DEFAULT 0;
