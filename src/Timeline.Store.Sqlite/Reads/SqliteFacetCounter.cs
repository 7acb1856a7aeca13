using System.Globalization;
using System.Text;
using Dapper;
using Timeline.Model.Store.Engine;

namespace Timeline.Store.Sqlite;

/// <summary>
/// Facet counts (<see cref="IFacetCounter"/>) as every engine counts them (<see cref="EventFacetCounter"/>), from the
/// in-memory copy of the events (<see cref="DateCategoryIndex"/>). The SQLite parts: a source's or a search's events read
/// from their own indexes (citations by source, FTS5), and the facets counted by SQL under the filter
/// (<see cref="EventFilterSql"/>) while a large store's copy is rebuilt, or when the copy is off.
/// </summary>
public sealed class SqliteFacetCounter(SqliteConnections database, DateCategoryIndex dateCategories, DataVersionCache state, StoreMetrics metrics)
    : EventFacetCounter(dateCategories, state)
{
    private sealed class CountRow
    {
        public string Value { get; init; } = string.Empty;

        public string? Label { get; init; }

        public long Count { get; init; }
    }

    private sealed class SpanRow
    {
        public long FirstYear { get; init; }

        public long LastYear { get; init; }

        public long Count { get; init; }
    }

    protected override void Counted(string source) => metrics.Facets.Add(1, new KeyValuePair<string, object?>("source", source));

    protected override async Task<StoreFacetCounts> CountByStoreAsync(EventFilter filter, IReadOnlyList<string> facets, int limit, CancellationToken cancellationToken)
    {
        var values = new Dictionary<string, IReadOnlyList<FacetCount>>(StringComparer.Ordinal);
        IReadOnlyList<YearSpan> spans = [];
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var snapshot = connection.BeginTransaction(deferred: true);
        foreach (var facet in facets)
        {
            switch (facet)
            {
                case FacetNames.Category:
                    values[facet] = await CountAsync(connection, snapshot, filter with { Categories = [] }, "e.category AS value, NULL AS label, COUNT(*) AS count", "", "e.category", limit, cancellationToken);
                    break;
                case FacetNames.Entity:
                    values[facet] = await CountAsync(
                        connection,
                        snapshot,
                        filter with { Entities = [] },
                        "fx.entity_id AS value, n.name AS label, COUNT(DISTINCT e.seq) AS count",
                        "JOIN event_entities fx ON fx.event_id = e.id JOIN entities n ON n.id = fx.entity_id",
                        "fx.entity_id",
                        limit,
                        cancellationToken);
                    break;
                case FacetNames.Tag:
                    values[facet] = await CountAsync(connection, snapshot, filter with { Tags = [] }, "fx.tag AS value, NULL AS label, COUNT(*) AS count", "JOIN event_tags fx ON fx.event_id = e.id", "fx.tag", limit, cancellationToken);
                    break;
                case FacetNames.Year:
                    spans = await SpansAsync(connection, snapshot, filter, cancellationToken);
                    break;
            }
        }

        return new StoreFacetCounts(values, spans);
    }

    private static async Task<IReadOnlyList<FacetCount>> CountAsync(
        System.Data.IDbConnection connection, System.Data.IDbTransaction snapshot, EventFilter filter, string select, string join, string groupBy, int limit, CancellationToken cancellationToken)
    {
        var parameters = new DynamicParameters();
        parameters.Add("Limit", limit);
        var sql = new StringBuilder($"SELECT {select}\nFROM events e {join}");
        EventFilterSql.Append(sql, EventFilterSql.Build(filter, parameters));
        sql.Append(CultureInfo.InvariantCulture, $"\nGROUP BY {groupBy}\nORDER BY count DESC, value\nLIMIT @Limit;");
        return (await connection.QueryAsync<CountRow>(new CommandDefinition(sql.ToString(), parameters, snapshot, cancellationToken: cancellationToken)))
            .Select(r => new FacetCount(r.Value, r.Label, r.Count)).ToList();
    }

    /// <summary>How many events start in one year and end in another (the year facet's raw counts), by SQL.</summary>
    private static async Task<IReadOnlyList<YearSpan>> SpansAsync(System.Data.IDbConnection connection, System.Data.IDbTransaction snapshot, EventFilter filter, CancellationToken cancellationToken)
    {
        var parameters = new DynamicParameters();
        var sql = new StringBuilder(
            """
            SELECT CAST(substr(e.first_day, 1, 4) AS INTEGER) AS first_year, CAST(substr(e.last_day, 1, 4) AS INTEGER) AS last_year, COUNT(*) AS count
            FROM events e
            """);
        EventFilterSql.Append(sql, EventFilterSql.Build(filter, parameters));
        sql.Append("\nGROUP BY first_year, last_year;");
        return (await connection.QueryAsync<SpanRow>(new CommandDefinition(sql.ToString(), parameters, snapshot, cancellationToken: cancellationToken)))
            .Select(r => new YearSpan((int)r.FirstYear, (int)r.LastYear, r.Count)).ToList();
    }

    /// <summary>
    /// The events that cite the filter's source and its scope's source and match its search: each read from its own index
    /// (citations by source, the search's matches).
    /// </summary>
    protected override async Task<IReadOnlyCollection<long>> NarrowAsync(EventFilter filter, CancellationToken cancellationToken)
    {
        var sets = new List<string>();
        var parameters = new DynamicParameters();
        if (filter.Source is not null)
        {
            sets.Add("SELECT e.seq FROM citations c JOIN events e ON e.id = c.event_id WHERE c.source_id = @Source AND e.deleted_at IS NULL");
            parameters.Add("Source", filter.Source);
        }

        if (filter.ScopeSource is not null)
        {
            sets.Add("SELECT e.seq FROM citations c JOIN events e ON e.id = c.event_id WHERE c.source_id = @ScopeSource AND e.deleted_at IS NULL");
            parameters.Add("ScopeSource", filter.ScopeSource);
        }

        if (filter.Search is not null)
        {
            sets.Add("SELECT rowid FROM events_fts WHERE events_fts MATCH @Match");
            parameters.Add("Match", Fts5Match.Render(filter.Search));
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<long>(new CommandDefinition(
            string.Join("\nINTERSECT\n", sets) + ";", parameters, cancellationToken: cancellationToken))).AsList();
    }
}
