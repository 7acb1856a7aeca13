using Dapper;

namespace Timeline.Store.Sqlite;

/// <summary>
/// GET /search's entities and sources (<see cref="ITimelineSearch"/>): each ranked by BM25 in its own full-text index
/// (entities: name, aliases, description weighted 10, 6, 1; sources: title, publisher, text weighted 10, 2, 1), ties by
/// id, with a snippet each; both read from one snapshot.
/// </summary>
public sealed class SqliteTimelineSearch(SqliteConnections database) : ITimelineSearch
{
    private sealed class HitRow
    {
        public string Id { get; init; } = string.Empty;

        public string Title { get; init; } = string.Empty;

        public byte[] Snippet { get; init; } = [];

        public string? Kind { get; init; }

        public string? Date { get; init; }
    }

    public async Task<(RecordMatches Entities, RecordMatches Sources)> FindRecordsAsync(SearchExpression search, int limit, CancellationToken cancellationToken)
    {
        var match = Fts5Match.Render(search);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var snapshot = connection.BeginTransaction(deferred: true);
        var entityRows = (await connection.QueryAsync<HitRow>(new CommandDefinition(
            $"""
            SELECT n.id, n.name AS title, n.kind, NULL AS date,
                   {Snippets.Column("entities_fts", 12)} AS snippet
            FROM entities_fts JOIN entities n ON n.seq = entities_fts.rowid
            WHERE entities_fts MATCH @Match
            ORDER BY bm25(entities_fts, 10.0, 6.0, 1.0), n.id
            LIMIT @Take;
            """,
            new { Match = match, Take = limit + 1 },
            snapshot,
            cancellationToken: cancellationToken))).AsList();
        var sourceRows = (await connection.QueryAsync<HitRow>(new CommandDefinition(
            $"""
            SELECT s.id, s.title, NULL AS kind, s.published_date AS date,
                   {Snippets.Column("sources_fts", 16)} AS snippet
            FROM sources_fts JOIN sources s ON s.seq = sources_fts.rowid
            WHERE sources_fts MATCH @Match
            ORDER BY bm25(sources_fts, 10.0, 2.0, 1.0), s.id
            LIMIT @Take;
            """,
            new { Match = match, Take = limit + 1 },
            snapshot,
            cancellationToken: cancellationToken))).AsList();
        return (Matches(entityRows, limit), Matches(sourceRows, limit));
    }

    private static RecordMatches Matches(List<HitRow> rows, int limit) =>
        new(rows.Take(limit).Select(r => new RecordMatch(r.Id, r.Title, SnippetHtml.FromMarkers(r.Snippet), r.Kind) { Date = r.Date }).ToList(), rows.Count > limit);
}
