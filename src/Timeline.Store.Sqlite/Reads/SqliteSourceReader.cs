using System.Data;
using System.Text.Json;
using Dapper;

namespace Timeline.Store.Sqlite;

/// <summary>Source documents as the API shows them (<see cref="ISourceReader"/>).</summary>
public sealed class SqliteSourceReader(SqliteConnections database) : ISourceReader
{
    private const string Columns =
        """
        SELECT s.id, s.title, s.publisher, s.author, s.published_date, s.url, s.sha256, s.notes,
               length(s.text) AS length,
               (SELECT COUNT(DISTINCT c.event_id) FROM citations c JOIN events e ON e.id = c.event_id AND e.deleted_at IS NULL WHERE c.source_id = s.id) AS event_count,
               s.version, s.deleted_at, s.deleted_by,
               s.citation, s.document_number AS DocumentNumber, s.effective_date AS EffectiveDate, s.agencies, s.document_type AS DocumentType,
               (SELECT json_group_array(f.former_id)
                FROM (SELECT former_id FROM former_ids WHERE resource = 'source' AND current_id = s.id ORDER BY ordinal, former_id) f) AS FormerIds
        FROM sources s
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
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<SourceRow>(new CommandDefinition($"{Columns}\nWHERE s.deleted_at IS NULL\nORDER BY s.id;", cancellationToken: cancellationToken));
        return rows.Select(ToItem).ToList();
    }

    /// <summary>One source with its text; or its tombstone if deleted; or neither if unknown.</summary>
    public async Task<RecordLookup<SourceDetail>> GetAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var snapshot = connection.BeginTransaction(deferred: true);
        return await GetAsync(connection, snapshot, id, cancellationToken);
    }

    /// <summary>The same, on the caller's connection and transaction.</summary>
    public static async Task<RecordLookup<SourceDetail>> GetAsync(IDbConnection connection, IDbTransaction? transaction, string id, CancellationToken cancellationToken)
    {
        var row = await connection.QuerySingleOrDefaultAsync<SourceRow>(new CommandDefinition(
            $"{Columns}\nWHERE s.id = @id;", new { id }, transaction, cancellationToken: cancellationToken));
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
        var item = ToItem(row);
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
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM sources WHERE id = @id AND deleted_at IS NULL;", new { id }, cancellationToken: cancellationToken)) > 0;
    }

    private static SourceItem ToItem(SourceRow r) =>
        new(r.Id, r.Title, r.Publisher, r.Author, r.PublishedDate, r.Url, r.Sha256, r.Length, JsonSerializer.Deserialize<List<string>>(r.Notes) ?? [], r.EventCount, r.Version)
        {
            Citation = r.Citation,
            DocumentNumber = r.DocumentNumber,
            EffectiveDate = r.EffectiveDate,
            Agencies = StoredEvents.ReadList(r.Agencies),
            DocumentType = r.DocumentType,
            FormerIds = StoredEvents.ReadList(r.FormerIds),
        };
}
