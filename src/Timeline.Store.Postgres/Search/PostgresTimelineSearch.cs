using System.Data;
using Npgsql;

namespace Timeline.Store.Postgres;

/// <summary>
/// GET /search's entities and sources (<see cref="ITimelineSearch"/>): each ranked by ts_rank over its own search rows
/// (entities: name A, aliases B, description D; sources: title A, publisher C, text D), ties by id, with a snippet each
/// (<see cref="SnippetPicker"/>: 12 words of an entity, 16 of a source); both read from one snapshot.
/// </summary>
public sealed class PostgresTimelineSearch(PostgresConnections database) : ITimelineSearch
{
    private const string Rank = "ts_rank('{0.1, 0.2, 0.4, 1.0}', x.document, @q::tsquery)";

    public async Task<(RecordMatches Entities, RecordMatches Sources)> FindRecordsAsync(SearchExpression search, int limit, CancellationToken cancellationToken)
    {
        var query = PostgresTsQuery.Render(search);
        await using var connection = await database.OpenReadAsync(cancellationToken);
        await using var snapshot = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);

        var entities = await ReadAsync(
            connection,
            snapshot,
            $"""
            SELECT n.id, n.name, n.kind, NULL, n.name,
                   (SELECT string_agg(a.alias, ' ; ' ORDER BY a.ordinal) FROM entity_aliases a WHERE a.entity_id = n.id), n.description
            FROM entity_search x JOIN entities n ON n.seq = x.seq
            WHERE x.document @@ @q::tsquery AND n.deleted_at IS NULL
            ORDER BY {Rank} DESC, n.id
            LIMIT @take;
            """,
            query,
            limit,
            search,
            12,
            cancellationToken);
        var sources = await ReadAsync(
            connection,
            snapshot,
            $"""
            SELECT s.id, s.title, NULL, s.published_date, s.title, s.publisher, s.text
            FROM source_search x JOIN sources s ON s.seq = x.seq
            WHERE x.document @@ @q::tsquery AND s.deleted_at IS NULL
            ORDER BY {Rank} DESC, s.id
            LIMIT @take;
            """,
            query,
            limit,
            search,
            16,
            cancellationToken);
        await snapshot.CommitAsync(cancellationToken);
        return (entities, sources);
    }

    /// <summary>Up to <paramref name="limit"/> matches (one more is read to tell whether there are more): id, title, kind, date, then the columns a snippet is picked from.</summary>
    private static async Task<RecordMatches> ReadAsync(
        NpgsqlConnection connection, NpgsqlTransaction snapshot, string sql, string query, int limit, SearchExpression search, int tokens, CancellationToken cancellationToken)
    {
        var items = new List<RecordMatch>();
        var more = false;
        await using var command = new NpgsqlCommand(sql, connection, snapshot);
        command.Parameters.AddWithValue("q", query);
        command.Parameters.AddWithValue("take", limit + 1);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            if (items.Count == limit)
            {
                more = true;
                break;
            }

            var columns = new string?[reader.FieldCount - 4];
            for (var i = 0; i < columns.Length; i++)
            {
                columns[i] = reader.IsDBNull(i + 4) ? null : reader.GetString(i + 4);
            }

            items.Add(new RecordMatch(reader.GetString(0), reader.GetString(1), SnippetPicker.Html(columns, search, tokens), reader.IsDBNull(2) ? null : reader.GetString(2))
            {
                Date = reader.IsDBNull(3) ? null : reader.GetString(3),
            });
        }

        return new RecordMatches(items, more);
    }
}
