using System.Text.Json;
using Dapper;
using Npgsql;

namespace Timeline.Store.Postgres;

/// <summary>
/// Source documents as the API shows them (<see cref="ISourceReader"/>), as the SQLite engine gives them. The list's event
/// counts come from <see cref="PostgresEventCounts"/> (counted once per data version); one source's by its own citations.
/// </summary>
public sealed class PostgresSourceReader(PostgresConnections database, PostgresEventCounts counts) : ISourceReader
{
    private const string Columns =
        """
        SELECT s.id, s.title, s.publisher, s.author, s.published_date, s.url, s.sha256, s.notes,
               length(s.text) AS length,
               s.version, s.deleted_at, s.deleted_by,
               s.citation, s.document_number, s.effective_date, s.agencies, s.document_type,
               COALESCE((SELECT json_agg(f.former_id ORDER BY f.ordinal, f.former_id COLLATE "C")
                         FROM former_ids f WHERE f.resource = 'source' AND f.current_id = s.id)::text, '[]') AS former_ids
        """;

    private sealed class SourceRow
    {
        public string Id { get; init; } = string.Empty;

        public string Title { get; init; } = string.Empty;

        public string? Publisher { get; init; }

        public string? Author { get; init; }

        public string? PublishedDate { get; init; }

        public string? Url { get; init; }

        public string Sha256 { get; init; } = string.Empty;

        public string Notes { get; init; } = string.Empty;

        public long Length { get; init; }

        public long EventCount { get; init; }

        public long Version { get; init; }

        public string? DeletedAt { get; init; }

        public string? DeletedBy { get; init; }

        public string? Citation { get; init; }

        public string? DocumentNumber { get; init; }

        public string? EffectiveDate { get; init; }

        public string Agencies { get; init; } = "[]";

        public string? DocumentType { get; init; }

        public string FormerIds { get; init; } = "[]";
    }

    public async Task<IReadOnlyList<SourceItem>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenReadAsync(cancellationToken);
        await using var snapshot = await PostgresReadSnapshot.BeginAsync(connection, cancellationToken);
        var dataVersion = await PostgresReadSnapshot.DataVersionAsync(connection, snapshot, cancellationToken);
        var rows = await connection.QueryAsync<SourceRow>(new CommandDefinition(
            $"""
            {Columns}
            FROM sources s
            WHERE s.deleted_at IS NULL
            ORDER BY s.id COLLATE "C";
            """,
            transaction: snapshot,
            cancellationToken: cancellationToken));
        var events = await counts.SourcesAsync(connection, snapshot, dataVersion, cancellationToken);
        await snapshot.CommitAsync(cancellationToken);
        return rows.Select(r => ToItem(r, events.GetValueOrDefault(r.Id))).ToList();
    }

    /// <summary>One source with its text; or its tombstone if deleted; or neither if unknown.</summary>
    public Task<RecordLookup<SourceDetail>> GetAsync(string id, CancellationToken cancellationToken) =>
        PostgresReadSnapshot.ReadAsync(database, (c, tx) => GetAsync(c, tx, id, cancellationToken), cancellationToken);

    /// <summary>The same, on the caller's connection and transaction (a write's If-Match and its answer: on the primary).</summary>
    public static async Task<RecordLookup<SourceDetail>> GetAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string id, CancellationToken cancellationToken)
    {
        var row = await connection.QuerySingleOrDefaultAsync<SourceRow>(new CommandDefinition(
            $"""
            {Columns},
                   (SELECT COUNT(DISTINCT c.event_id) FROM citations c JOIN events e ON e.id = c.event_id AND e.deleted_at IS NULL
                    WHERE c.source_id = s.id) AS event_count
            FROM sources s
            WHERE s.id = @id;
            """,
            new { id },
            transaction,
            cancellationToken: cancellationToken));
        if (row is null)
        {
            return default;
        }

        if (row.DeletedAt is not null)
        {
            return new(null, new Tombstone(row.DeletedAt, row.DeletedBy ?? string.Empty, row.Version));
        }

        var text = await connection.ExecuteScalarAsync<string>(new CommandDefinition(
            "SELECT text FROM sources WHERE id = @id;", new { id }, transaction, cancellationToken: cancellationToken));
        var item = ToItem(row, row.EventCount);
        return new(new SourceDetail(item.Id, item.Title, item.Publisher, item.Author, item.PublishedDate, item.Url, item.Sha256, item.Length, item.Notes, item.EventCount, item.Version, text!)
        {
            Citation = item.Citation,
            DocumentNumber = item.DocumentNumber,
            EffectiveDate = item.EffectiveDate,
            Agencies = item.Agencies,
            DocumentType = item.DocumentType,
            FormerIds = item.FormerIds,
        }, null);
    }

    public async Task<bool> ExistsAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenReadAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM sources WHERE id = @id AND deleted_at IS NULL);", new { id }, cancellationToken: cancellationToken));
    }

    private static SourceItem ToItem(SourceRow r, long eventCount) =>
        new(r.Id, r.Title, r.Publisher, r.Author, r.PublishedDate, r.Url, r.Sha256, r.Length, JsonSerializer.Deserialize<List<string>>(r.Notes) ?? [], eventCount, r.Version)
        {
            Citation = r.Citation,
            DocumentNumber = r.DocumentNumber,
            EffectiveDate = r.EffectiveDate,
            Agencies = StoredEvents.ReadList(r.Agencies),
            DocumentType = r.DocumentType,
            FormerIds = StoredEvents.ReadList(r.FormerIds),
        };
}
