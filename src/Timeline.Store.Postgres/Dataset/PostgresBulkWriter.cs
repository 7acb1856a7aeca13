using System.Text.Json;
using Dapper;
using Npgsql;
using NpgsqlTypes;
using Timeline.Model.Store.Engine;

namespace Timeline.Store.Postgres;

/// <summary>An index, primary or unique key, or foreign key a first load dropped (<see cref="PostgresBulkWriter.DeferIndexesAsync"/>): its table, whether it is a foreign key (made last), and the statement that makes it again.</summary>
public sealed record DeferredIndex(string Table, bool ForeignKey, string Statement);

/// <summary>
/// Creates many new records fast, inside the caller's transaction, with COPY (binary): the PostgreSQL counterpart of the
/// SQLite engine's BulkEventWriter. Each record still gets its first revision exactly as a single create writes it
/// (same actor, time, reason and document), and the revisions are numbered in the order the SQLite engine numbers them:
/// sources and entities in the order given, events by id. Events' rows go in timeline order, so the table is laid out
/// in the order lists read it. Used by imports (and so the seed) for records that are not in the store yet.
/// </summary>
public sealed class PostgresBulkWriter(NpgsqlConnection connection, string actor, string stamp, string? reason)
{
    /// <summary>How many revision documents are serialised ahead of the writer, on other cores, at a time.</summary>
    private const int DocumentBlock = 4096;

    /// <summary>Creates the sources and their first revisions, in the order given.</summary>
    public async Task CreateSourcesAsync(IReadOnlyList<ValidSource> sources, CancellationToken ct)
    {
        if (sources.Count == 0)
        {
            return;
        }

        await CopyAsync(
            "sources (id, title, publisher, author, published_date, url, text, sha256, notes, citation, document_number, effective_date, agencies, document_type, created_at, updated_at, version)",
            sources,
            (w, s) =>
            {
                Text(w, s.Id);
                Text(w, s.Title);
                Text(w, s.Publisher);
                Text(w, s.Author);
                Text(w, s.PublishedDate?.ToString());
                Text(w, s.Url);
                Text(w, s.Text);
                Text(w, s.Sha256);
                Text(w, JsonSerializer.Serialize(s.Notes));
                Text(w, s.Citation);
                Text(w, s.DocumentNumber);
                Text(w, s.EffectiveDate?.ToString());
                Text(w, JsonSerializer.Serialize(s.Agencies));
                Text(w, s.DocumentType);
                Text(w, stamp);
                Text(w, stamp);
                w.Write(1L, NpgsqlDbType.Bigint);
            },
            ct);
        await RevisionsAsync("source", sources, s => s.Id, s => Documents.Serialize(Documents.From(s)), ct);
    }

    /// <summary>Creates the entities, their aliases and first revisions, in the order given.</summary>
    public async Task CreateEntitiesAsync(IReadOnlyList<ValidEntity> entities, CancellationToken ct)
    {
        if (entities.Count == 0)
        {
            return;
        }

        await CopyAsync(
            "entities (id, name, kind, country, description, standalone, created_at, updated_at, version)",
            entities,
            (w, e) =>
            {
                Text(w, e.Id);
                Text(w, e.Name);
                Text(w, e.Kind);
                Text(w, e.Country);
                Text(w, e.Description);
                w.Write(e.Standalone, NpgsqlDbType.Boolean);
                Text(w, stamp);
                Text(w, stamp);
                w.Write(1L, NpgsqlDbType.Bigint);
            },
            ct);
        await CopyAsync(
            "entity_aliases (entity_id, ordinal, alias)",
            entities.SelectMany(e => e.Aliases.Select((alias, i) => (e.Id, i, alias))),
            (w, a) =>
            {
                Text(w, a.Id);
                w.Write(a.i, NpgsqlDbType.Integer);
                Text(w, a.alias);
            },
            ct);
        await RevisionsAsync("entity", entities, e => e.Id, e => Documents.Serialize(Documents.From(e)), ct);
    }

    /// <summary>
    /// Creates the events: their rows in timeline order, then their tags, entity links, citations, links and first
    /// revisions in id order. Reports every 10,000 events written to <paramref name="progress"/>. A first load gives the
    /// events' <paramref name="words"/> (worked out in the background, in the order of <see cref="TimelineOrder"/>): its
    /// foreign keys wait until the end (<see cref="DeferIndexesAsync"/>), so the rows that need no word go in first,
    /// then <paramref name="beforeEventRows"/> runs (more work that needs no event row), and the event rows, each with
    /// its word signature, once the words have had that time.
    /// </summary>
    internal async Task CreateEventsAsync(
        IReadOnlyList<ValidEvent> events,
        CancellationToken ct,
        Action<int>? progress = null,
        Action<string>? step = null,
        PostgresLoadWords? words = null,
        Func<Task>? beforeEventRows = null)
    {
        if (events.Count == 0)
        {
            return;
        }

        if (words is not null && words.Events.Count != events.Count)
        {
            throw new InvalidOperationException($"The load's words were worked out for {words.Events.Count} events, not the {events.Count} written.");
        }

        var byId = events.OrderBy(e => e.Id, StringComparer.Ordinal).ToList();
        if (words is null)
        {
            await EventRowsAsync(TimelineOrder(events), null, ct);
            step?.Invoke("event rows written");
        }

        await CopyAsync("event_tags (event_id, tag)", byId.SelectMany(e => e.Tags.Select(tag => (e.Id, tag))), (w, t) =>
        {
            Text(w, t.Id);
            Text(w, t.tag);
        }, ct);
        await CopyAsync(
            "citations (event_id, ordinal, source_id, quote, start_offset, end_offset)",
            byId.SelectMany(e => e.Citations.Select((c, i) => (e.Id, c, i))),
            (w, x) =>
            {
                Text(w, x.Id);
                w.Write(x.i, NpgsqlDbType.Integer);
                Text(w, x.c.SourceId);
                Text(w, x.c.Quote);
                w.Write(x.c.StartOffset, NpgsqlDbType.Integer);
                w.Write(x.c.EndOffset, NpgsqlDbType.Integer);
            },
            ct);
        await CopyAsync(
            "event_links (event_id, kind, target_id, ordinal)",
            byId.SelectMany(e => StoredColumns.LinkRows(e).Select(l => (e.Id, l))),
            (w, x) =>
            {
                Text(w, x.Id);
                Text(w, x.l.Kind);
                Text(w, x.l.TargetId);
                w.Write(x.l.Ordinal, NpgsqlDbType.Integer);
            },
            ct);
        step?.Invoke("tags, citations and links written");

        await RevisionsAsync("event", byId, e => e.Id, e => Documents.Serialize(Documents.From(e)), ct, progress);
        step?.Invoke("revisions written");

        if (words is not null)
        {
            if (beforeEventRows is not null)
            {
                await beforeEventRows();
            }

            await EventRowsAsync(words.Events, words, ct);
            step?.Invoke("event rows written");
        }

        // After the event rows: the trigger on event_entities copies each link's event's days into entity_timeline. A
        // first load writes those rows itself, in the order of their key, rather than have the trigger join a million
        // links to their events and sort them (12 s of the server's 16 at 1,000,000 events); the trigger is off for
        // that one statement, in this transaction, which holds the tables anyway (DeferIndexesAsync).
        if (words is not null)
        {
            await connection.ExecuteAsync(new CommandDefinition("ALTER TABLE event_entities DISABLE TRIGGER entity_timeline_linked;", cancellationToken: ct));
        }

        await CopyAsync(
            "event_entities (event_id, entity_id, role, ordinal)",
            byId.SelectMany(e => e.Entities.Select((link, i) => (e.Id, link, i))),
            (w, l) =>
            {
                Text(w, l.Id);
                Text(w, l.link.EntityId);
                Text(w, l.link.Role);
                w.Write(l.i, NpgsqlDbType.Integer);
            },
            ct);
        if (words is not null)
        {
            await connection.ExecuteAsync(new CommandDefinition("ALTER TABLE event_entities ENABLE TRIGGER entity_timeline_linked;", cancellationToken: ct));
            await CopyAsync(
                "entity_timeline (entity_id, event_id, first_day, date_precision, last_day)",
                EntityTimelines(byId),
                (w, x) =>
                {
                    Text(w, x.EntityId);
                    Text(w, x.Event.Id);
                    Text(w, PartialDate.FormatDay(x.Event.FirstDay));
                    w.Write((int)x.Event.Date.Precision, NpgsqlDbType.Integer);
                    Text(w, PartialDate.FormatDay(x.Event.LastDay));
                },
                ct);
        }

        step?.Invoke("entity links written");
    }

    /// <summary>
    /// The rows of entity_timeline for new events in id order, as the trigger on event_entities writes them: one for each
    /// entity an event involves (in whatever roles) and that event, by entity and then event (ordinal order).
    /// </summary>
    private static IEnumerable<(string EntityId, ValidEvent Event)> EntityTimelines(List<ValidEvent> byId)
    {
        var timelines = new Dictionary<string, List<ValidEvent>>(StringComparer.Ordinal);
        foreach (var e in byId)
        {
            foreach (var entityId in e.Entities.Select(l => l.EntityId).Distinct(StringComparer.Ordinal))
            {
                if (!timelines.TryGetValue(entityId, out var timeline))
                {
                    timelines[entityId] = timeline = [];
                }

                timeline.Add(e);
            }
        }

        return timelines.OrderBy(t => t.Key, StringComparer.Ordinal).SelectMany(t => t.Value.Select(e => (t.Key, e)));
    }

    /// <summary>The order events' rows are written in (the timeline's), so the table is laid out in the order lists read it.</summary>
    internal static List<ValidEvent> TimelineOrder(IEnumerable<ValidEvent> events) => events
        .OrderBy(e => e.FirstDay).ThenBy(e => (int)e.Date.Precision).ThenBy(e => e.Id, StringComparer.Ordinal)
        .ToList();

    /// <summary>The events' rows, in the order given; with each one's word signature when <paramref name="words"/> holds them (in the same order).</summary>
    private Task EventRowsAsync(IReadOnlyList<ValidEvent> byTimeline, PostgresLoadWords? words, CancellationToken ct)
    {
        var row = 0;
        return CopyAsync(
            "events (id, date, date_precision, end_date, first_day, last_day, title, summary, category, caveats, tags, refs, created_at, updated_at, version"
                + (words is null ? ")" : ", words)"),
            byTimeline,
            (w, e) =>
            {
                Text(w, e.Id);
                Text(w, e.Date.ToString());
                w.Write((int)e.Date.Precision, NpgsqlDbType.Integer);
                Text(w, e.EndDate?.ToString());
                Text(w, PartialDate.FormatDay(e.FirstDay));
                Text(w, PartialDate.FormatDay(e.LastDay));
                Text(w, e.Title);
                Text(w, e.Summary);
                Text(w, e.Category);
                Text(w, JsonSerializer.Serialize(e.Caveats));
                Text(w, StoredColumns.Tags(e.Tags));
                Text(w, StoredColumns.References(e.References));
                Text(w, stamp);
                Text(w, stamp);
                w.Write(1L, NpgsqlDbType.Bigint);
                if (words is not null)
                {
                    w.Write(words.Signature(row++), NpgsqlDbType.Bit);
                }
            },
            ct);
    }

    /// <summary>The tables a first load fills (by COPY; entity_timeline by the trigger on event_entities), whose secondary indexes and foreign keys it builds once, afterwards.</summary>
    private static readonly string[] LoadedTables = ["events", "event_tags", "event_entities", "entity_timeline", "citations", "event_links", "entity_aliases", "former_ids", "revisions"];

    /// <summary>
    /// The tables whose primary and unique keys a first load also drops and makes again: only events, whose rows go in
    /// in timeline order, so that each one's id lands at a random place in its unique index (at 1,000,000 events, COPY
    /// into events took 9.8 s with its keys and 5.2 s without, and making both keys afterwards 1.3 s). The other tables'
    /// rows go in in the order of their keys, which are only ever appended to: there, dropping the keys gained less
    /// than making them again cost (revisions' two keys, 7.1 s to make, saved 1.2 s of COPY).
    /// </summary>
    private static readonly string[] RekeyedTables = ["events"];

    /// <summary>
    /// For a load into an empty store: drops the secondary indexes and foreign keys of the tables the load fills (and the
    /// keys of <see cref="RekeyedTables"/>), and returns the statements that make them again, to be run once the rows are
    /// in, keys before the foreign keys that refer to them (an index built from all rows, and a foreign key checked by one
    /// join, cost far less than both kept up row by row). Nothing the load runs in between looks a row up by a key, and the
    /// dataset was validated first, so the keys hold when they are made again; if one did not, that statement would fail
    /// and the load with it. A key that a foreign key of a table outside the load refers to stays. Inside the caller's
    /// transaction, so a failed load leaves all of them as they were.
    /// </summary>
    public async Task<IReadOnlyList<DeferredIndex>> DeferIndexesAsync(NpgsqlTransaction tx, CancellationToken ct)
    {
        var foreignKeys = (await connection.QueryAsync<(string Table, string Name, string Definition)>(new CommandDefinition(
            """
            SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
            FROM pg_constraint c
            WHERE c.contype = 'f' AND c.conrelid = ANY (SELECT to_regclass(t) FROM unnest(@LoadedTables) t)
            ORDER BY c.conname;
            """,
            new { LoadedTables },
            tx,
            cancellationToken: ct))).ToList();
        // The keys no foreign key of a table outside the load refers to (conindid: the index a foreign key checks against).
        var keys = (await connection.QueryAsync<(string Table, string Name, string Definition)>(new CommandDefinition(
            """
            SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
            FROM pg_constraint c
            WHERE c.contype IN ('p', 'u') AND c.conrelid = ANY (SELECT to_regclass(t) FROM unnest(@RekeyedTables) t)
              AND NOT EXISTS (
                SELECT 1 FROM pg_constraint f
                WHERE f.contype = 'f' AND f.conindid = c.conindid
                  AND f.conrelid <> ALL (SELECT to_regclass(t) FROM unnest(@LoadedTables) t))
            ORDER BY c.conname;
            """,
            new { RekeyedTables, LoadedTables },
            tx,
            cancellationToken: ct))).ToList();
        var indexes = (await connection.QueryAsync<(string Table, string Name, string Definition)>(new CommandDefinition(
            """
            SELECT i.indrelid::regclass::text, i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
            FROM pg_index i
            WHERE i.indrelid = ANY (SELECT to_regclass(t) FROM unnest(@LoadedTables) t)
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.contype IN ('p', 'u', 'x'))
            ORDER BY 2;
            """,
            new { LoadedTables },
            tx,
            cancellationToken: ct))).ToList();
        foreach (var (table, name, _) in foreignKeys)
        {
            await connection.ExecuteAsync(new CommandDefinition($"ALTER TABLE {table} DROP CONSTRAINT {Quote(name)};", transaction: tx, cancellationToken: ct));
        }

        foreach (var (table, name, _) in keys)
        {
            await connection.ExecuteAsync(new CommandDefinition($"ALTER TABLE {table} DROP CONSTRAINT {Quote(name)};", transaction: tx, cancellationToken: ct));
        }

        foreach (var (_, name, _) in indexes)
        {
            await connection.ExecuteAsync(new CommandDefinition($"DROP INDEX {name};", transaction: tx, cancellationToken: ct));
        }

        return
        [
            .. indexes.Select(i => new DeferredIndex(i.Table, false, i.Definition + ";")),
            .. keys.Select(k => new DeferredIndex(k.Table, false, $"ALTER TABLE {k.Table} ADD CONSTRAINT {Quote(k.Name)} {k.Definition};")),
            .. foreignKeys.Select(f => new DeferredIndex(f.Table, true, $"ALTER TABLE {f.Table} ADD CONSTRAINT {Quote(f.Name)} {f.Definition};")),
        ];
    }

    /// <summary>Makes again what <see cref="DeferIndexesAsync"/> dropped (or the part of it given).</summary>
    public async Task RestoreIndexesAsync(NpgsqlTransaction tx, IEnumerable<DeferredIndex> deferred, CancellationToken ct)
    {
        foreach (var index in deferred)
        {
            await connection.ExecuteAsync(new CommandDefinition(index.Statement, transaction: tx, cancellationToken: ct, commandTimeout: 0));
        }
    }

    /// <summary>
    /// The tables a first load has filled when it calls back before the event rows (<see cref="CreateEventsAsync"/>):
    /// their indexes can be built then, while the events' words are still being worked out.
    /// </summary>
    public static readonly IReadOnlySet<string> FilledBeforeEventRows = new HashSet<string>(["entity_aliases", "event_tags", "citations", "event_links"], StringComparer.Ordinal);

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>The former ids of records new to a store that holds no record of their kind with those ids (nothing to retire).</summary>
    public Task FormerIdsAsync(string resource, IEnumerable<(string Id, IReadOnlyList<string> FormerIds)> records, CancellationToken ct) =>
        CopyAsync(
            "former_ids (resource, former_id, current_id, ordinal)",
            records.SelectMany(r => r.FormerIds.Select((former, i) => (r.Id, former, i))),
            (w, f) =>
            {
                Text(w, resource);
                Text(w, f.former);
                Text(w, f.Id);
                w.Write(f.i, NpgsqlDbType.Integer);
            },
            ct);

    /// <summary>The first revision of each record, in the order given; documents are serialised a block ahead on other cores.</summary>
    private Task RevisionsAsync<T>(string resource, IReadOnlyList<T> records, Func<T, string> id, Func<T, string> document, CancellationToken ct, Action<int>? progress = null) =>
        CopyAsync(
            "revisions (resource, resource_id, version, action, actor, at, document, reason)",
            Documented(records, document).Select((x, i) => (Record: x.Record, Document: x.Document, Number: i + 1)),
            (w, r) =>
            {
                Text(w, resource);
                Text(w, id(r.Record));
                w.Write(1L, NpgsqlDbType.Bigint);
                Text(w, "create");
                Text(w, actor);
                Text(w, stamp);
                Text(w, r.Document);
                Text(w, reason);
                if (r.Number % 10_000 == 0)
                {
                    progress?.Invoke(r.Number);
                }
            },
            ct);

    /// <summary>The records with their documents, serialised in blocks on the thread pool one block ahead of the reader.</summary>
    private static IEnumerable<(T Record, string Document)> Documented<T>(IReadOnlyList<T> records, Func<T, string> document)
    {
        Task<string[]> Serialise(int start) => start >= records.Count
            ? Task.FromResult(Array.Empty<string>())
            : Task.Run(() =>
            {
                var block = new string[Math.Min(DocumentBlock, records.Count - start)];
                Parallel.For(0, block.Length, i => block[i] = document(records[start + i]));
                return block;
            });

        var next = Serialise(0);
        for (var start = 0; start < records.Count; start += DocumentBlock)
        {
            var documents = next.GetAwaiter().GetResult();
            next = Serialise(start + DocumentBlock);
            for (var k = 0; k < documents.Length; k++)
            {
                yield return (records[start + k], documents[k]);
            }
        }
    }

    /// <summary>Copies the rows into the table (binary COPY, on the caller's connection and so in its transaction).</summary>
    private async Task CopyAsync<T>(string target, IEnumerable<T> rows, Action<NpgsqlBinaryImporter, T> write, CancellationToken ct)
    {
        await using var importer = await connection.BeginBinaryImportAsync($"COPY {target} FROM STDIN (FORMAT BINARY)", ct);
        importer.Timeout = TimeSpan.Zero; // a bulk load takes as long as its rows do, not Timeline:CommandTimeoutSeconds
        foreach (var row in rows)
        {
            importer.StartRow();
            write(importer, row);
        }

        await importer.CompleteAsync(ct);
    }

    /// <summary>A text field of a binary COPY row (NULL for null).</summary>
    internal static void Text(NpgsqlBinaryImporter writer, string? value)
    {
        if (value is null)
        {
            writer.WriteNull();
        }
        else
        {
            writer.Write(value, NpgsqlDbType.Text);
        }
    }
}
