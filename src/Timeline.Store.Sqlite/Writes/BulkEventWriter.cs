using System.Text.Json;
using Microsoft.Data.Sqlite;
using Timeline.Model.Dataset;
using Timeline.Model.Dates;

namespace Timeline.Store.Sqlite;

/// <summary>
/// Creates many new events fast, inside the caller's transaction: one prepared statement per table, reused
/// for every row. Events are queued and written by <see cref="Finish"/>: their rows in timeline order (so
/// that they are numbered in order, see TimelineOrder), their tags, links, citations and revisions in id
/// order (the order of those tables' keys, so each B-tree grows at its end), then their search rows and
/// entity_timeline rows from memory. Each event still gets its first revision, exactly as a single create
/// would write it. Used by imports (and so the seed) for events that are not in the store yet.
/// </summary>
public sealed class BulkEventWriter : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly SqliteTransaction _transaction;
    private readonly Change _change;
    private readonly long _firstNewSeq;
    private long _nextSeq;
    private readonly long _firstNewSourceSeq;
    private readonly BulkStatement _source;
    private readonly BulkStatement _sourceRevision;
    private readonly BulkStatement _event;
    private readonly BulkStatement _tag;
    private readonly BulkStatement _link;
    private readonly BulkStatement _citation;
    private readonly BulkStatement _eventLink;
    private readonly BulkStatement _revision;
    private readonly BulkStatement _search;
    private readonly BulkStatement _timeline;
    private readonly List<ValidEvent> _queued = [];

    public BulkEventWriter(SqliteConnection connection, SqliteTransaction transaction, Change change)
    {
        _connection = connection;
        _transaction = transaction;
        _change = change;
        // New events are numbered in the order they come, one spacing apart: from the origin in a store without
        // events (the caller gives them in timeline order, so the store is in order at once), else after every row
        // (the caller places them afterwards, see TimelineOrder).
        using (var max = Command("SELECT MAX(seq) FROM events;"))
        {
            var last = max.ExecuteScalar();
            StoreHadEvents = last is long;
            _firstNewSeq = last is long seq ? seq + TimelineOrder.Spacing : TimelineOrder.Origin;
            _nextSeq = _firstNewSeq;
        }

        using (var max = Command("SELECT COALESCE(MAX(seq), 0) + 1 FROM sources;"))
        {
            _firstNewSourceSeq = (long)max.ExecuteScalar()!;
        }

        _source = Statement(
            """
            INSERT INTO sources (id, title, publisher, author, published_date, url, text, sha256, notes,
                                 citation, document_number, effective_date, agencies, document_type, created_at, updated_at, version)
            VALUES ($id, $title, $publisher, $author, $published, $url, $text, $sha, $notes,
                    $citation, $number, $effective, $agencies, $type, $stamp, $stamp, 1);
            """);
        _sourceRevision = Statement(
            "INSERT INTO revisions (resource, resource_id, version, action, actor, at, document, reason) VALUES ('source', $id, 1, 'create', $actor, $at, $document, $reason);");

        _event = Statement(
            """
            INSERT INTO events (seq, id, date, date_precision, end_date, first_day, last_day, title, summary, category, caveats, tags, refs, created_at, updated_at, version)
            VALUES ($seq, $id, $date, $precision, $end, $first, $last, $title, $summary, $category, $caveats, $tags, $refs, $stamp, $stamp, 1);
            """);
        _tag = Statement("INSERT INTO event_tags (event_id, tag) VALUES ($id, $tag);");
        _link = Statement("INSERT INTO event_entities (event_id, entity_id, role, ordinal) VALUES ($id, $entity, $role, $ordinal);");
        _citation = Statement(
            "INSERT INTO citations (event_id, ordinal, source_id, quote, start_offset, end_offset) VALUES ($id, $ordinal, $source, $quote, $start, $end);");
        _eventLink = Statement("INSERT INTO event_links (event_id, kind, target_id, ordinal) VALUES ($id, $kind, $target, $ordinal);");
        _revision = Statement(
            "INSERT INTO revisions (resource, resource_id, version, action, actor, at, document, reason) VALUES ('event', $id, 1, 'create', $actor, $at, $document, $reason);");
        _search = Statement(SearchIndex.InsertEventSql);
        _timeline = Statement("INSERT INTO entity_timeline (entity_id, event_seq, last_day) VALUES ($entity, $seq, $last);");
    }

    public int Written { get; private set; }

    /// <summary>Whether the store held events (live or deleted) before this writer began: then its new events still need placing.</summary>
    public bool StoreHadEvents { get; }

    /// <summary>Creates a new source and its first revision; its search row is built by <see cref="Finish"/>.</summary>
    public void Create(ValidSource s)
    {
        _source.Run(s.Id, s.Title, s.Publisher, s.Author, s.PublishedDate?.ToString(), s.Url, s.Text, s.Sha256, JsonSerializer.Serialize(s.Notes),
            s.Citation, s.DocumentNumber, s.EffectiveDate?.ToString(), JsonSerializer.Serialize(s.Agencies), s.DocumentType, _change.Stamp);
        _sourceRevision.Run(s.Id, _change.Actor, _change.Stamp, Documents.Serialize(Documents.From(s)), _change.Reason);
    }

    /// <summary>Queues the event; it is written by <see cref="Finish"/>.</summary>
    public void Create(ValidEvent e) => _queued.Add(e);

    /// <summary>How many revision documents are serialised ahead of the writer, on another core, at a time.</summary>
    private const int DocumentBlock = 4096;

    /// <summary>
    /// Writes the queued events and indexes them (search rows, entity timelines), and indexes the new sources for
    /// search. Reports every 10,000 events written to <paramref name="progress"/>.
    /// </summary>
    public void Finish(Action<int>? progress = null, Action<string>? step = null)
    {
        var byTimeline = _queued
            .OrderBy(e => e.FirstDay).ThenBy(e => (int)e.Date.Precision).ThenBy(e => e.Id, StringComparer.Ordinal)
            .ToList();
        var deferred = StoreHadEvents ? [] : DropSecondaryIndexes();
        var seqs = new Dictionary<string, long>(byTimeline.Count, StringComparer.Ordinal);
        foreach (var e in byTimeline)
        {
            seqs[e.Id] = _nextSeq;
            _event.Run(_nextSeq, e.Id, e.Date.ToString(), (int)e.Date.Precision, e.EndDate?.ToString(), PartialDate.FormatDay(e.FirstDay), PartialDate.FormatDay(e.LastDay),
                e.Title, e.Summary, e.Category, JsonSerializer.Serialize(e.Caveats), TimelineWriter.StoredTags(e.Tags), TimelineWriter.StoredReferences(e.References), _change.Stamp);
            _nextSeq += TimelineOrder.Spacing;
        }

        step?.Invoke("event rows written");

        // Revision documents (the dataset format, as a single create writes them) are serialised a block ahead on
        // another core while this one writes the block before: only two blocks are ever held, not every document.
        var byId = _queued.OrderBy(e => e.Id, StringComparer.Ordinal).ToList();
        var nextDocuments = SerialiseAsync(byId, 0);
        for (var start = 0; start < byId.Count; start += DocumentBlock)
        {
            var documents = nextDocuments.GetAwaiter().GetResult();
            nextDocuments = SerialiseAsync(byId, start + DocumentBlock);
            for (var k = 0; k < documents.Length; k++)
            {
                var e = byId[start + k];
                foreach (var tag in e.Tags)
                {
                    _tag.Run(e.Id, tag);
                }

                for (var i = 0; i < e.Entities.Count; i++)
                {
                    _link.Run(e.Id, e.Entities[i].EntityId, e.Entities[i].Role, i);
                }

                for (var i = 0; i < e.Citations.Count; i++)
                {
                    var c = e.Citations[i];
                    _citation.Run(e.Id, i, c.SourceId, c.Quote, c.StartOffset, c.EndOffset);
                }

                foreach (var (kind, target, ordinal) in EventLinks.Rows(e))
                {
                    _eventLink.Run(e.Id, kind, target, ordinal);
                }

                _revision.Run(e.Id, _change.Actor, _change.Stamp, new Utf8Text(documents[k]), _change.Reason);
                if (++Written % 10_000 == 0)
                {
                    progress?.Invoke(Written);
                }
            }
        }

        step?.Invoke("tags, entity links, citations and revisions written");

        // Search rows in number order (the order FTS5 appends fastest), built as SearchIndex builds them from the tables,
        // into few large segments (SearchIndex.BeginBulkLoadSql).
        Execute(SearchIndex.BeginBulkLoadSql);
        var names = EntityNames();
        foreach (var e in byTimeline)
        {
            _search.Run(
                seqs[e.Id],
                CjkText.Spread(e.Title),
                CjkText.Spread(e.Summary),
                SearchColumns.Tags(e.Tags),
                CjkText.Spread(SearchColumns.Quotes(e.Citations.Select(c => c.Quote))),
                CjkText.Spread(SearchColumns.References(e.References)),
                CjkText.Spread(SearchColumns.Names(e.Entities.Select(l => l.EntityId), id => names.GetValueOrDefault(id))));
        }

        step?.Invoke("search rows written");

        // Each entity's events, once per entity and event, sorted by entity then number: the table's key order.
        var entityIds = byTimeline.SelectMany(e => e.Entities.Select(link => link.EntityId)).Distinct().Order(StringComparer.Ordinal).ToArray();
        var entityIndex = entityIds.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i, StringComparer.Ordinal);
        var pairs = byTimeline.SelectMany((e, at) => e.Entities.Select(link => (Entity: entityIndex[link.EntityId], At: at))).ToArray();
        Array.Sort(pairs);
        for (var i = 0; i < pairs.Length; i++)
        {
            if (i == 0 || pairs[i] != pairs[i - 1])
            {
                var e = byTimeline[pairs[i].At];
                _timeline.Run(entityIds[pairs[i].Entity], seqs[e.Id], PartialDate.FormatDay(e.LastDay));
            }
        }

        step?.Invoke("entity timelines written");
        foreach (var create in deferred)
        {
            Execute(create);
        }

        if (deferred.Count > 0)
        {
            step?.Invoke($"{deferred.Count} indexes built");
        }

        using (var sources = Statement(SearchIndex.IndexSourcesFromSql))
        {
            sources.Run(_firstNewSourceSeq);
        }

        Execute(SearchIndex.EndBulkLoadSql);
        step?.Invoke("sources' search rows written");
        _queued.Clear();
    }

    /// <summary>Every entity's name and aliases as an event's search row holds them (<see cref="SearchColumns.Names"/>).</summary>
    private Dictionary<string, string> EntityNames()
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        using var command = Command(SearchIndex.EntityNamesSql);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            names[reader.GetString(0)] = reader.GetString(1);
        }

        return names;
    }

    public void Dispose()
    {
        _event.Dispose();
        _tag.Dispose();
        _link.Dispose();
        _citation.Dispose();
        _eventLink.Dispose();
        _revision.Dispose();
        _search.Dispose();
        _timeline.Dispose();
        _source.Dispose();
        _sourceRevision.Dispose();
    }

    /// <summary>
    /// For a load into a store without events: drops the secondary indexes of the event tables and returns the
    /// statements that build them again, to be run once the rows are in (an index built from sorted rows costs
    /// less than one kept up row by row). Inside the caller's transaction, so a failed load leaves them as they were.
    /// </summary>
    private List<string> DropSecondaryIndexes()
    {
        var creates = new List<(string Name, string Sql)>();
        using (var list = Command(
            "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ('events', 'event_tags', 'event_entities', 'citations', 'event_links');"))
        using (var reader = list.ExecuteReader())
        {
            while (reader.Read())
            {
                creates.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        foreach (var (name, _) in creates)
        {
            using var drop = Command($"DROP INDEX \"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\";");
            drop.ExecuteNonQuery();
        }

        return creates.Select(c => c.Sql).ToList();
    }

    /// <summary>The revision documents of events [start, start + DocumentBlock), serialised on the thread pool.</summary>
    private static Task<byte[][]> SerialiseAsync(List<ValidEvent> events, int start) =>
        start >= events.Count
            ? Task.FromResult(Array.Empty<byte[]>())
            : Task.Run(() =>
            {
                var block = new byte[Math.Min(DocumentBlock, events.Count - start)][];
                for (var i = 0; i < block.Length; i++)
                {
                    block[i] = Documents.SerializeToUtf8(Documents.From(events[start + i]));
                }

                return block;
            });

    private void Execute(string sql)
    {
        using var command = Command(sql);
        command.ExecuteNonQuery();
    }

    private SqliteCommand Command(string sql)
    {
        var command = _connection.CreateCommand();
        command.Transaction = _transaction;
        command.CommandText = sql;
        return command;
    }

    private BulkStatement Statement(string sql) => new(_connection, sql);
}
