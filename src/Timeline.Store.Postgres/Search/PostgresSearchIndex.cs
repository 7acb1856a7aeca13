using System.Buffers;
using System.Collections;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Npgsql;
using NpgsqlTypes;
using Timeline.Model.Store.Engine;

namespace Timeline.Store.Postgres;

/// <summary>
/// Keeps the search rows (event_search, entity_search, source_search: migration 0004) and the count of events that hold
/// each word (search_terms, for the search budget) in step with the timeline's tables. Every writer calls it inside its
/// own transaction, so the search index never disagrees with the data. Each row's tsvector is built in C# from the
/// record's texts (<see cref="PostgresSearchRows"/>, <see cref="PostgresTsVector"/>), folded as the SQLite engine's
/// index folds them.
/// </summary>
public static class PostgresSearchIndex
{
    /// <summary>Events read and written per round of a rebuild.</summary>
    private const int RebuildBatch = 20_000;

    /// <summary>Re-indexes the given events (after they, their tags, citations or references changed); deleted ones leave the index.</summary>
    public static async Task RefreshEventsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyCollection<string> eventIds, CancellationToken cancellationToken)
    {
        if (eventIds.Count == 0)
        {
            return;
        }

        var seqs = new List<long>();
        await using (var command = new NpgsqlCommand("SELECT seq FROM events WHERE id = ANY(@ids);", connection, transaction))
        {
            command.Parameters.AddWithValue("ids", eventIds.ToArray());
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                seqs.Add(reader.GetInt64(0));
            }
        }

        await RefreshEventSeqsAsync(connection, transaction, seqs, cancellationToken);
    }

    /// <summary>Re-indexes the events with these numbers: their old rows leave (and their words' counts go down), the live ones' new rows come in.</summary>
    private static async Task RefreshEventSeqsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, List<long> seqs, CancellationToken cancellationToken)
    {
        if (seqs.Count == 0)
        {
            return;
        }

        await using (var remove = new NpgsqlCommand(
            """
            WITH old AS (DELETE FROM event_search WHERE seq = ANY(@seqs) RETURNING document),
                 gone AS (SELECT word, count(*) AS n FROM old, unnest(tsvector_to_array(old.document)) AS word GROUP BY word)
            UPDATE search_terms t SET documents = t.documents - gone.n FROM gone WHERE t.term = gone.word;
            """,
            connection,
            transaction))
        {
            remove.Parameters.AddWithValue("seqs", seqs.ToArray());
            await remove.ExecuteNonQueryAsync(cancellationToken);
        }

        var rows = await PostgresSearchRows.EventsAsync(connection, transaction, seqs, cancellationToken);
        if (rows.Count == 0)
        {
            return;
        }

        var vectors = rows.Select(r => PostgresSearchRows.Vector(r.Columns, PostgresSearchRows.EventWeights)).ToList();
        await using var add = new NpgsqlCommand(
            """
            INSERT INTO event_search (seq, document, quotes, names) SELECT * FROM unnest(@seqs, @documents::tsvector[], @quotes::text[], @names::text[]);
            UPDATE events e SET words = x.words FROM unnest(@seqs, @signatures::bit(512)[]) AS x (seq, words) WHERE e.seq = x.seq;
            INSERT INTO search_terms (term, documents)
            SELECT word, count(*) FROM unnest(@words) AS word GROUP BY word
            ON CONFLICT (term) DO UPDATE SET documents = search_terms.documents + EXCLUDED.documents;
            """,
            connection,
            transaction);
        add.Parameters.AddWithValue("seqs", rows.Select(r => r.Seq).ToArray());
        add.Parameters.AddWithValue("documents", vectors.Select(v => v.ToString()).ToArray());
        add.Parameters.AddWithValue("quotes", rows.Select(r => r.Columns[PostgresSearchRows.QuotesColumn]).ToArray());
        add.Parameters.AddWithValue("names", rows.Select(r => r.Columns[PostgresSearchRows.NamesColumn]).ToArray());
        add.Parameters.AddWithValue("words", vectors.SelectMany(v => v.Lexemes).ToArray());
        add.Parameters.AddWithValue("signatures", vectors.Select(v => PostgresSearchWords.Signature(v.Lexemes)).ToArray());
        await add.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Re-indexes the live events that involve the entity (after its name or aliases changed).</summary>
    public static async Task RefreshEventsOfEntityAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string entityId, CancellationToken cancellationToken)
    {
        var seqs = new List<long>();
        await using (var command = new NpgsqlCommand(
            "SELECT DISTINCT e.seq FROM event_entities l JOIN events e ON e.id = l.event_id WHERE l.entity_id = @id;", connection, transaction))
        {
            command.Parameters.AddWithValue("id", entityId);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                seqs.Add(reader.GetInt64(0));
            }
        }

        await RefreshEventSeqsAsync(connection, transaction, seqs, cancellationToken);
    }

    /// <summary>Re-indexes one entity (after it or its aliases changed); a deleted one leaves the index.</summary>
    public static async Task RefreshEntityAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string entityId, CancellationToken cancellationToken)
    {
        await ExecuteAsync(connection, transaction, "DELETE FROM entity_search WHERE seq = (SELECT seq FROM entities WHERE id = @p);", entityId, cancellationToken);
        var rows = await PostgresSearchRows.EntitiesAsync(connection, transaction, "n.id = @p", entityId, cancellationToken);
        await InsertAsync(connection, transaction, "entity_search", rows, PostgresSearchRows.EntityWeights, cancellationToken);
    }

    /// <summary>Re-indexes one source; a deleted one leaves the index.</summary>
    public static async Task RefreshSourceAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sourceId, CancellationToken cancellationToken)
    {
        await ExecuteAsync(connection, transaction, "DELETE FROM source_search WHERE seq = (SELECT seq FROM sources WHERE id = @p);", sourceId, cancellationToken);
        var rows = await PostgresSearchRows.SourcesAsync(connection, transaction, "s.id = @p", sourceId, cancellationToken);
        await InsertAsync(connection, transaction, "source_search", rows, PostgresSearchRows.SourceWeights, cancellationToken);
    }

    /// <summary>
    /// The folding of words the search rows are built with, recorded in <c>search_rows_fold</c>: 1, code point
    /// by code point as SQLite's unicode61 tokenizer folds them (<see cref="Timeline.Model.Text.Unicode61"/>). A build
    /// that folds otherwise gives a new number, and its migrations rebuild the rows of a store built before (<see cref="RefoldAsync"/>).
    /// </summary>
    public const int Fold = 1;

    /// <summary>
    /// Brings the search rows to this build's folding of words (<see cref="Fold"/>, recorded in
    /// <c>search_rows_fold</c> by migration 0012 and by every build of the whole rows): a store built with
    /// another has every row rebuilt (<see cref="RebuildAsync"/>) and its data version moved, as searches answer otherwise
    /// afterwards; an empty one only records it. In the caller's transaction (the migrations'); returns how long a rebuild
    /// took, or null when there was none.
    /// </summary>
    public static async Task<TimeSpan?> RefoldAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using (var read = new NpgsqlCommand("SELECT fold FROM search_rows_fold WHERE id = 1;", connection, transaction))
        {
            if (Convert.ToInt32(await read.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture) == Fold)
            {
                return null;
            }
        }

        if (await PostgresStoreInitializer.IsEmptyAsync(connection, transaction, cancellationToken))
        {
            await ExecuteAsync(connection, transaction, $"UPDATE search_rows_fold SET fold = {Fold} WHERE id = 1;", null, cancellationToken);
            return null;
        }

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        await ExecuteAsync(connection, transaction, "SET LOCAL statement_timeout = 0;", null, cancellationToken);
        await RebuildAsync(connection, transaction, cancellationToken);
        await DataVersionBump.BumpAsync(connection, transaction, DateTimeOffset.UtcNow, cancellationToken);
        return System.Diagnostics.Stopwatch.GetElapsedTime(started);
    }

    /// <summary>
    /// Builds every event's, entity's and source's search row anew from the tables (after a copy between stores or a
    /// reseed): the tables are emptied, the rows copied in (COPY) in rounds of <see cref="RebuildBatch"/> events, the
    /// words' counts from what was built, and the GIN indexes made afresh once the rows are in (far faster than keeping
    /// them up row by row); then the planner's statistics of the new rows are gathered.
    /// </summary>
    public static async Task RebuildAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await EmptyAsync(connection, transaction, cancellationToken);
        var names = await PostgresSearchRows.NamesAsync(connection, transaction, "true", null, cancellationToken);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        var after = 0L;
        while (true)
        {
            var rows = await PostgresSearchRows.EventsAsync(
                connection, transaction, $"e.seq > @p ORDER BY e.seq LIMIT {RebuildBatch}", after, names, cancellationToken);
            if (rows.Count == 0)
            {
                break;
            }

            await CopyEventRowsAsync(connection, rows, counts, cancellationToken);
            after = rows[^1].Seq;
            if (rows.Count < RebuildBatch)
            {
                break;
            }
        }

        var sources = new List<(long Seq, string?[] Columns)>();
        after = 0L;
        while (true)
        {
            // Sources' texts are long: a few at a time.
            var rows = await PostgresSearchRows.SourcesAsync(connection, transaction, "s.seq > @p ORDER BY s.seq LIMIT 200", after, cancellationToken);
            sources.AddRange(rows);
            if (rows.Count < 200)
            {
                break;
            }

            after = rows[^1].Seq;
        }

        var entities = await PostgresSearchRows.EntitiesAsync(connection, transaction, "true", null, cancellationToken);
        await RecordsAsync(
            connection,
            transaction,
            Built(entities, r => (r.Seq, Binary(PostgresSearchRows.Vector(r.Columns, PostgresSearchRows.EntityWeights)))),
            Built(sources, r => (r.Seq, Binary(PostgresSearchRows.Vector(r.Columns, PostgresSearchRows.SourceWeights)))),
            cancellationToken);
        await FinishAsync(connection, transaction, counts, cancellationToken);

        // The events' word signatures from their new rows (migration 0007's function, the same bits as PostgresSearchWords),
        // rewriting only the rows whose signature changed.
        await ExecuteAsync(
            connection,
            transaction,
            """
            UPDATE events e SET words = timeline_words(tsvector_to_array(s.document))
            FROM event_search s
            WHERE s.seq = e.seq AND e.words IS DISTINCT FROM timeline_words(tsvector_to_array(s.document));
            """,
            null,
            cancellationToken,
            commandTimeout: 0);
    }

    /// <summary>
    /// Builds the search rows of a store that holds exactly the records of <paramref name="dataset"/>, being loaded into
    /// an empty store, from the records themselves rather than read back from the tables (the first load of a large
    /// dataset): the same texts as <see cref="PostgresSearchRows"/> reads (tested: a rebuild from the tables afterwards
    /// changes no row), their vectors worked out during the load (<paramref name="words"/>). This first part, the
    /// entities' and sources' rows and indexes, needs no event row: the load runs it while the events' words are worked
    /// out; <see cref="BuildEventsAsync"/> does the rest once the events are in.
    /// </summary>
    internal static async Task BuildRecordsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, ValidatedDataset dataset, PostgresLoadWords words, CancellationToken cancellationToken)
    {
        await EmptyAsync(connection, transaction, cancellationToken);
        var entitySeqs = await SeqsAsync(connection, transaction, "entities", cancellationToken);
        var sourceSeqs = await SeqsAsync(connection, transaction, "sources", cancellationToken);
        await RecordsAsync(
            connection,
            transaction,
            dataset.Entities.Select((e, i) => (entitySeqs[e.Id], words.EntityVector(i))),
            dataset.Sources.Select((s, i) => (sourceSeqs[s.Id], words.SourceVector(i))),
            cancellationToken);
    }

    /// <summary>The second part of a first load's search rows (<see cref="BuildRecordsAsync"/>): the events' rows, the words' counts and the events' index.</summary>
    internal static async Task BuildEventsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, PostgresLoadWords words, CancellationToken cancellationToken, Action<string>? step = null)
    {
        var eventSeqs = await SeqsAsync(connection, transaction, "events", cancellationToken);

        // Binary: PostgreSQL reads a tsvector's binary form far faster than it parses its text.
        await using (var copy = await connection.BeginBinaryImportAsync("COPY event_search (seq, document, quotes, names) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            copy.Timeout = TimeSpan.Zero;
            for (var i = 0; i < words.Events.Count; i++)
            {
                var e = words.Events[i];
                copy.StartRow();
                copy.Write(eventSeqs[e.Id], NpgsqlDbType.Bigint);
                copy.Write(words.Vector(i), NpgsqlDbType.Bytea); // tsvectorrecv reads the field: COPY's binary fields carry no type
                PostgresBulkWriter.Text(copy, EventQuotes(e));
                PostgresBulkWriter.Text(copy, words.EventNames(e));
            }

            await copy.CompleteAsync(cancellationToken);
        }

        step?.Invoke("events' search rows written");
        await FinishAsync(connection, transaction, words.Counts(), cancellationToken);
    }

    /// <summary>A tsvector in its binary form (<see cref="PostgresTsVector.WriteBinary"/>).</summary>
    internal static ReadOnlyMemory<byte> Binary(PostgresTsVector vector)
    {
        var binary = new ArrayBufferWriter<byte>(1024);
        vector.WriteBinary(binary);
        return binary.WrittenMemory;
    }

    /// <summary>An entity's search texts (name, aliases, description) as <see cref="PostgresSearchRows"/> reads them, from the entity itself.</summary>
    internal static string?[] EntityColumns(ValidEntity e) => [e.Name, e.Aliases.Count == 0 ? null : string.Join(" ; ", e.Aliases), e.Description];

    /// <summary>A source's search texts (title, publisher, text) as <see cref="PostgresSearchRows"/> reads them, from the source itself.</summary>
    internal static string?[] SourceColumns(ValidSource s) => [s.Title, s.Publisher, s.Text];

    /// <summary>Each entity's "name ; alias ; alias" by id, as PostgresSearchRows.NamesAsync reads it, from a dataset.</summary>
    public static Dictionary<string, string> Names(ValidatedDataset dataset) => dataset.Entities.ToDictionary(
        e => e.Id, e => e.Aliases.Count == 0 ? e.Name : e.Name + " ; " + string.Join(" ; ", e.Aliases), StringComparer.Ordinal);

    /// <summary>An event's search texts as <see cref="PostgresSearchRows"/> reads them from the tables, from the event itself.</summary>
    internal static string?[] EventColumns(ValidEvent e, Dictionary<string, string> names) =>
    [
        e.Title,
        e.Summary,
        SearchColumns.Tags(e.Tags),
        EventQuotes(e),
        SearchColumns.References(e.References),
        EventNames(e, names),
    ];

    /// <summary>An event's quotes, as its search row keeps them (<see cref="PostgresSearchRows.QuotesColumn"/>).</summary>
    internal static string? EventQuotes(ValidEvent e) => e.Citations.Count == 0 ? null : SearchColumns.Quotes(e.Citations.Select(c => c.Quote));

    /// <summary>The names of an event's entities, as its search row keeps them (<see cref="PostgresSearchRows.NamesColumn"/>).</summary>
    internal static string? EventNames(ValidEvent e, Dictionary<string, string> names) =>
        SearchColumns.Names(e.Entities.Select(l => l.EntityId), id => names.GetValueOrDefault(id));

    /// <summary>
    /// Empties the search tables and drops their GIN indexes (made again by <see cref="RecordsAsync"/> and
    /// <see cref="FinishAsync"/>). The index builds get at least 256 MB of maintenance_work_mem for the rest of the
    /// transaction (PostgreSQL's default is 64 MB), never less than the server gives them: a load's later index builds
    /// run under the same setting, and the events' GIN index at 1,000,000 events took 34 s with 256 MB and 27.5 s with 1 GB.
    /// </summary>
    private static Task EmptyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken) =>
        ExecuteAsync(
            connection,
            transaction,
            """
            SELECT set_config('maintenance_work_mem', '256MB', true) FROM pg_settings WHERE name = 'maintenance_work_mem' AND setting::bigint < 262144;
            TRUNCATE event_search, entity_search, source_search, search_terms;
            DROP INDEX event_search_document, entity_search_document, source_search_document;
            """,
            null,
            cancellationToken,
            commandTimeout: 0);

    /// <summary>Every record's number by id, in one table.</summary>
    private static async Task<Dictionary<string, long>> SeqsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string table, CancellationToken cancellationToken)
    {
        var seqs = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var command = new NpgsqlCommand($"SELECT id, seq FROM {table};", connection, transaction) { CommandTimeout = 0 };
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            seqs[reader.GetString(0)] = reader.GetInt64(1);
        }

        return seqs;
    }

    /// <summary>Copies events' search rows in for a rebuild (their vectors built on every core, a block ahead), counting each word's events into <paramref name="counts"/>.</summary>
    private static async Task CopyEventRowsAsync(
        NpgsqlConnection connection, IEnumerable<(long Seq, string?[] Columns)> rows, Dictionary<string, long> counts, CancellationToken cancellationToken)
    {
        await using var copy = await BeginCopyAsync(connection, "event_search (seq, document, quotes, names)", cancellationToken);
        foreach (var (vector, line) in Built(rows, EventLine))
        {
            foreach (var word in vector.Lexemes)
            {
                CollectionsMarshal.GetValueRefOrAddDefault(counts, word, out _)++;
            }

            await copy.WriteAsync(line);
        }
    }

    /// <summary>How many records' vectors are built at a time, on every core, one block ahead of the writer.</summary>
    private const int BuildBlock = 4096;

    /// <summary>An event's vector and its COPY line: "seq\tvector\tquotes\tnames\n".</summary>
    private static (PostgresTsVector Vector, string Line) EventLine((long Seq, string?[] Columns) row)
    {
        var vector = PostgresSearchRows.Vector(row.Columns, PostgresSearchRows.EventWeights);
        var line = new StringBuilder().Append(row.Seq.ToString(CultureInfo.InvariantCulture)).Append('\t').Append(vector.ToString());
        foreach (var column in (int[])[PostgresSearchRows.QuotesColumn, PostgresSearchRows.NamesColumn])
        {
            CopyText(line.Append('\t'), row.Columns[column]);
        }

        return (vector, line.Append('\n').ToString());
    }

    /// <summary>Each record built by <paramref name="build"/> (its vector, in the form its COPY takes), in blocks on the thread pool one block ahead of the reader.</summary>
    private static IEnumerable<T> Built<T>(IEnumerable<(long Seq, string?[] Columns)> rows, Func<(long Seq, string?[] Columns), T> build)
    {
        static Task<T[]> Build((long Seq, string?[] Columns)[] block, Func<(long Seq, string?[] Columns), T> build) => block.Length == 0
            ? Task.FromResult(Array.Empty<T>())
            : Task.Run(() =>
            {
                var built = new T[block.Length];
                Parallel.For(0, block.Length, i => built[i] = build(block[i]));
                return built;
            });

        using var source = rows.GetEnumerator();
        (long, string?[])[] Take()
        {
            var block = new List<(long, string?[])>(BuildBlock);
            while (block.Count < BuildBlock && source.MoveNext())
            {
                block.Add(source.Current);
            }

            return [.. block];
        }

        var next = Build(Take(), build);
        while (true)
        {
            var built = next.GetAwaiter().GetResult();
            if (built.Length == 0)
            {
                yield break;
            }

            next = Build(Take(), build);
            foreach (var row in built)
            {
                yield return row;
            }
        }
    }

    /// <summary>A text as a field of COPY's text format: \N for NULL, backslashes, tabs and line ends escaped.</summary>
    internal static void CopyText(StringBuilder line, string? text)
    {
        if (text is null)
        {
            line.Append("\\N");
            return;
        }

        foreach (var c in text)
        {
            _ = c switch
            {
                '\\' => line.Append("\\\\"),
                '\t' => line.Append("\\t"),
                '\n' => line.Append("\\n"),
                '\r' => line.Append("\\r"),
                _ => line.Append(c),
            };
        }
    }

    /// <summary>
    /// The entities' and sources' search rows (each record's number and its tsvector in binary form: PostgreSQL reads
    /// that far faster than it parses the text of a source's few thousand positions), their GIN indexes and the
    /// planner's statistics.
    /// </summary>
    private static async Task RecordsAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction transaction,
        IEnumerable<(long Seq, ReadOnlyMemory<byte> Vector)> entities,
        IEnumerable<(long Seq, ReadOnlyMemory<byte> Vector)> sources,
        CancellationToken cancellationToken)
    {
        foreach (var (table, rows) in new[] { ("entity_search", entities), ("source_search", sources) })
        {
            await using var copy = await connection.BeginBinaryImportAsync($"COPY {table} (seq, document) FROM STDIN (FORMAT BINARY)", cancellationToken);
            copy.Timeout = TimeSpan.Zero;
            foreach (var (seq, vector) in rows)
            {
                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync(seq, NpgsqlDbType.Bigint, cancellationToken);
                await copy.WriteAsync(vector, NpgsqlDbType.Bytea, cancellationToken); // tsvectorrecv reads the field, as for the events' rows
            }

            await copy.CompleteAsync(cancellationToken);
        }

        await ExecuteAsync(
            connection,
            transaction,
            """
            CREATE INDEX entity_search_document ON entity_search USING gin (document);
            CREATE INDEX source_search_document ON source_search USING gin (document);
            ANALYZE entity_search;
            ANALYZE source_search;
            """,
            null,
            cancellationToken,
            commandTimeout: 0);
    }

    /// <summary>
    /// The words' counts, then the events' GIN index and the planner's statistics (once the events' search rows are in),
    /// and the folding the rows were built with (<see cref="Fold"/>): every row is this build's now.
    /// </summary>
    private static async Task FinishAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Dictionary<string, long> counts, CancellationToken cancellationToken)
    {
        await using (var copy = await BeginCopyAsync(connection, "search_terms (term, documents)", cancellationToken))
        {
            foreach (var (word, count) in counts)
            {
                await copy.WriteAsync(word + "\t" + count.ToString(CultureInfo.InvariantCulture) + "\n");
            }
        }

        await ExecuteAsync(
            connection,
            transaction,
            $"""
            CREATE INDEX event_search_document ON event_search USING gin (document);
            ANALYZE event_search;
            ANALYZE search_terms;
            UPDATE search_rows_fold SET fold = {Fold} WHERE id = 1;
            """,
            null,
            cancellationToken,
            commandTimeout: 0);
    }

    private static async Task InsertAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string table, List<(long Seq, string?[] Columns)> rows, int[] weights, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return;
        }

        await using var insert = new NpgsqlCommand($"INSERT INTO {table} (seq, document) SELECT * FROM unnest(@seqs, @documents::tsvector[]);", connection, transaction);
        insert.Parameters.AddWithValue("seqs", rows.Select(r => r.Seq).ToArray());
        insert.Parameters.AddWithValue("documents", rows.Select(r => PostgresSearchRows.Vector(r.Columns, weights).ToString()).ToArray());
        await insert.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>A COPY of text rows into <paramref name="target"/>: a bulk load takes as long as its rows do, not the connection's command timeout.</summary>
    private static async Task<TextWriter> BeginCopyAsync(NpgsqlConnection connection, string target, CancellationToken cancellationToken)
    {
        var copy = (NpgsqlCopyTextWriter)await connection.BeginTextImportAsync($"COPY {target} FROM STDIN", cancellationToken);
        copy.Timeout = 0;
        return copy;
    }

    /// <summary>One statement; a rebuild's or a first load's (an index over every record, the tables emptied) with no command timeout (<paramref name="commandTimeout"/> 0).</summary>
    private static async Task ExecuteAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, object? parameter, CancellationToken cancellationToken, int? commandTimeout = null)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        if (commandTimeout is { } timeout)
        {
            command.CommandTimeout = timeout;
        }

        if (parameter is not null)
        {
            command.Parameters.AddWithValue("p", parameter);
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
