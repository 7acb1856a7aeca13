using System.Text.Json;
using Npgsql;

namespace Timeline.Store.Postgres;

/// <summary>
/// The searchable texts of events, entities and sources, read from the tables: what their tsvectors are built from
/// (<see cref="PostgresSearchIndex"/>) and what their snippets are picked from (<see cref="EventTextsSql"/>, read with a page).
/// An event's columns: title, summary, tags, quotes, references, and the names and aliases of the entities it involves
/// (<see cref="SearchColumns"/>); an entity's: name, aliases, description; a source's: title, publisher, text.
/// </summary>
internal static class PostgresSearchRows
{
    /// <summary>The weight of each event column (3 = A … 0 = D): title A, summary B, tags C, quotes, references and names D.</summary>
    public static readonly int[] EventWeights = [3, 2, 1, 0, 0, 0];

    /// <summary>An entity's: name A, aliases B, description D.</summary>
    public static readonly int[] EntityWeights = [3, 2, 0];

    /// <summary>A source's: title A, publisher C, text D.</summary>
    public static readonly int[] SourceWeights = [3, 1, 0];

    /// <summary>The live events' texts (deleted ones have no search row), for a condition on e.</summary>
    private static string EventSql(string where) =>
        $"""
        SELECT e.seq, e.title, e.summary, e.tags, e.refs,
               (SELECT string_agg(c.quote, ' … ' ORDER BY c.ordinal) FROM citations c WHERE c.event_id = e.id),
               ARRAY(SELECT l.entity_id FROM event_entities l WHERE l.event_id = e.id GROUP BY l.entity_id ORDER BY min(l.ordinal), l.entity_id)
        FROM events e
        WHERE e.deleted_at IS NULL AND {where}
        """;

    /// <summary>Each entity's "name ; alias ; alias" (aliases in order), deleted ones too (an event may still name them), for a condition on n.</summary>
    private static string NamesSql(string where) =>
        $"""
        SELECT n.id, n.name || COALESCE((SELECT ' ; ' || string_agg(a.alias, ' ; ' ORDER BY a.ordinal) FROM entity_aliases a WHERE a.entity_id = n.id), '')
        FROM entities n
        WHERE {where}
        """;

    /// <summary>
    /// The select-list fragment that reads an event's search texts beside its other columns (the event aliased
    /// <paramref name="e"/>), for a page of matches whose snippets are picked as it is read: the texts on the event's
    /// own row, and its quotes and entities' names as its search row keeps them (migration 0007; the same texts
    /// EventsAsync reads). <see cref="EventColumns"/> turns them into the columns of the event's search row.
    /// </summary>
    public static string EventTextsSql(string e) =>
        $"""
        , {e}.title AS search_title, {e}.summary AS search_summary, {e}.tags AS search_tags, {e}.refs AS search_refs,
        (SELECT x.quotes FROM event_search x WHERE x.seq = {e}.seq) AS search_quotes,
        (SELECT x.names FROM event_search x WHERE x.seq = {e}.seq) AS search_names
        """;

    /// <summary>The columns of an event's search row from a row read with <see cref="EventTextsSql"/>.</summary>
    public static string?[] EventColumns(System.Data.Common.DbDataReader reader) =>
    [
        reader.GetString(reader.GetOrdinal("search_title")),
        reader.GetString(reader.GetOrdinal("search_summary")),
        SearchColumns.Tags(JsonSerializer.Deserialize<string[]>(reader.GetString(reader.GetOrdinal("search_tags"))) ?? []),
        reader.IsDBNull(reader.GetOrdinal("search_quotes")) ? null : reader.GetString(reader.GetOrdinal("search_quotes")),
        SearchColumns.ReferencesFromJson(reader.GetString(reader.GetOrdinal("search_refs"))),
        reader.IsDBNull(reader.GetOrdinal("search_names")) ? null : reader.GetString(reader.GetOrdinal("search_names")),
    ];

    /// <summary>Where an event's columns hold its quotes and its entities' names (kept on its search row too).</summary>
    public const int QuotesColumn = 3;

    /// <inheritdoc cref="QuotesColumn"/>
    public const int NamesColumn = 5;

    private sealed record EventRow(long Seq, string Title, string Summary, string Tags, string Refs, string? Quotes, string[] EntityIds);

    /// <summary>The texts of the live events among <paramref name="seqs"/>, by number.</summary>
    public static Task<List<(long Seq, string?[] Columns)>> EventsAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, IReadOnlyCollection<long> seqs, CancellationToken cancellationToken) =>
        EventsAsync(connection, transaction, "e.seq = ANY(@p)", seqs.ToArray(), null, cancellationToken);

    /// <summary>
    /// The texts of the live events the condition <paramref name="where"/> (on e, with @p bound to <paramref name="parameter"/>)
    /// selects; <paramref name="names"/> holds entities' names when known (a rebuild reads them all once), else they are read.
    /// </summary>
    public static async Task<List<(long Seq, string?[] Columns)>> EventsAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, string where, object parameter, IReadOnlyDictionary<string, string>? names, CancellationToken cancellationToken)
    {
        var rows = new List<EventRow>();
        await using (var command = new NpgsqlCommand(EventSql(where), connection, transaction))
        {
            command.Parameters.AddWithValue("p", parameter);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add(new EventRow(
                    reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                    reader.IsDBNull(5) ? null : reader.GetString(5), reader.GetFieldValue<string[]>(6)));
            }
        }

        if (names is null)
        {
            var ids = rows.SelectMany(r => r.EntityIds).Distinct(StringComparer.Ordinal).ToArray();
            names = ids.Length == 0 ? new Dictionary<string, string>() : await NamesAsync(connection, transaction, "n.id = ANY(@p)", ids, cancellationToken);
        }

        return rows.Select(r => (r.Seq, new string?[]
        {
            r.Title,
            r.Summary,
            SearchColumns.Tags(JsonSerializer.Deserialize<string[]>(r.Tags) ?? []),
            r.Quotes,
            SearchColumns.ReferencesFromJson(r.Refs),
            SearchColumns.Names(r.EntityIds, id => names.GetValueOrDefault(id)),
        })).ToList();
    }

    /// <summary>Every entity's "name ; alias ; alias" by id (the condition on n, with @p bound to <paramref name="parameter"/>; null for all).</summary>
    public static async Task<Dictionary<string, string>> NamesAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string where, object? parameter, CancellationToken cancellationToken)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var command = new NpgsqlCommand(NamesSql(where), connection, transaction);
        if (parameter is not null)
        {
            command.Parameters.AddWithValue("p", parameter);
        }

        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            names[reader.GetString(0)] = reader.GetString(1);
        }

        return names;
    }

    /// <summary>The texts of the live entities the condition on n selects (@p bound to <paramref name="parameter"/>; the condition may end in ORDER BY and LIMIT).</summary>
    public static Task<List<(long Seq, string?[] Columns)>> EntitiesAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string where, object? parameter, CancellationToken cancellationToken) =>
        ReadAsync(
            connection,
            transaction,
            $"""
            SELECT n.seq, n.name, (SELECT string_agg(a.alias, ' ; ' ORDER BY a.ordinal) FROM entity_aliases a WHERE a.entity_id = n.id), n.description
            FROM entities n
            WHERE n.deleted_at IS NULL AND {where}
            """,
            parameter,
            cancellationToken);

    /// <summary>The texts of the live sources the condition on s selects (@p bound to <paramref name="parameter"/>; the condition may end in ORDER BY and LIMIT).</summary>
    public static Task<List<(long Seq, string?[] Columns)>> SourcesAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string where, object? parameter, CancellationToken cancellationToken) =>
        ReadAsync(connection, transaction, $"SELECT s.seq, s.title, s.publisher, s.text FROM sources s WHERE s.deleted_at IS NULL AND {where}", parameter, cancellationToken);

    private static async Task<List<(long Seq, string?[] Columns)>> ReadAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, object? parameter, CancellationToken cancellationToken)
    {
        var rows = new List<(long, string?[])>();
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        if (parameter is not null)
        {
            command.Parameters.AddWithValue("p", parameter);
        }

        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var columns = new string?[reader.FieldCount - 1];
            for (var i = 0; i < columns.Length; i++)
            {
                columns[i] = reader.IsDBNull(i + 1) ? null : reader.GetString(i + 1);
            }

            rows.Add((reader.GetInt64(0), columns));
        }

        return rows;
    }

    /// <summary>The tsvector of one record's columns weighted by <paramref name="weights"/>.</summary>
    public static PostgresTsVector Vector(string?[] columns, int[] weights)
    {
        var vector = new PostgresTsVector();
        for (var i = 0; i < columns.Length; i++)
        {
            vector.Add(columns[i], weights[i]);
        }

        return vector;
    }
}
