-- 0008: search that finds Chinese, Japanese and Korean words, references and the names of an event's entities.
--
-- unicode61 keeps a run of CJK characters as one token (华为技术 is one word, so 华为 was never found in it). Every
-- search row's text now has each CJK character spread into a token of its own (the function timeline_fts_text,
-- Search/CjkText.cs, registered on every connection of the store), and a searched CJK word is a phrase of its
-- characters (Search/Fts5Match.cs). events_fts gains two columns: refs (each reference's title, citation and
-- document number, so q=85 FR 83416 finds the event that references that rule) and names (the names and aliases of
-- the entities the event involves, so q=华为, an alias of Huawei, finds Huawei's events). The three tables are
-- rebuilt as Storage/SearchIndex.cs builds their rows.

DROP TABLE events_fts;
CREATE VIRTUAL TABLE events_fts USING fts5(
    title, summary, tags, quotes, refs, names,
    tokenize = 'unicode61 remove_diacritics 2'
);

INSERT INTO events_fts (rowid, title, summary, tags, quotes, refs, names)
SELECT e.seq,
       timeline_fts_text(e.title),
       timeline_fts_text(e.summary),
       COALESCE((SELECT group_concat(t.tag, ' ') FROM event_tags t WHERE t.event_id = e.id), ''),
       timeline_fts_text(COALESCE((SELECT group_concat(c.quote, ' … ') FROM citations c WHERE c.event_id = e.id), '')),
       timeline_fts_text(COALESCE((SELECT group_concat(json_extract(r.value, '$.title')
                                                       || COALESCE(' ; ' || json_extract(r.value, '$.citation'), '')
                                                       || COALESCE(' ; ' || json_extract(r.value, '$.documentNumber'), ''), ' … ')
                                   FROM json_each(e.refs) r), '')),
       timeline_fts_text(COALESCE((SELECT group_concat(x.names, ' ; ')
                                   FROM (SELECT n.name || COALESCE((SELECT ' ; ' || group_concat(a.alias, ' ; ')
                                                                    FROM (SELECT a.alias FROM entity_aliases a WHERE a.entity_id = n.id ORDER BY a.ordinal) a), '') AS names
                                         FROM (SELECT entity_id, MIN(ordinal) AS first FROM event_entities WHERE event_id = e.id GROUP BY entity_id) l
                                         JOIN entities n ON n.id = l.entity_id
                                         ORDER BY l.first) x), ''))
FROM events e
WHERE e.deleted_at IS NULL;

DELETE FROM entities_fts;
INSERT INTO entities_fts (rowid, name, aliases, description)
SELECT n.seq,
       timeline_fts_text(n.name),
       timeline_fts_text(COALESCE((SELECT group_concat(a.alias, ' ; ') FROM entity_aliases a WHERE a.entity_id = n.id), '')),
       timeline_fts_text(COALESCE(n.description, ''))
FROM entities n
WHERE n.deleted_at IS NULL;

DELETE FROM sources_fts;
INSERT INTO sources_fts (rowid, title, publisher, text)
SELECT s.seq, timeline_fts_text(s.title), timeline_fts_text(COALESCE(s.publisher, '')), timeline_fts_text(s.text)
FROM sources s
WHERE s.deleted_at IS NULL;
