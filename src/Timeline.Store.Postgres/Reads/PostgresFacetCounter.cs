using System.Globalization;
using System.Text;
using Dapper;
using Npgsql;

namespace Timeline.Store.Postgres;

/// <summary>
/// Facet counts (<see cref="IFacetCounter"/>) as every engine counts them (<see cref="EventFacetCounter"/>), from the
/// in-memory copy of the events (<see cref="PostgresDateCategoryIndex"/>). The PostgreSQL parts: a source's or a search's
/// events read from their own indexes (citations by source; the search's matches, from the search area's rows under their
/// GIN index, <see cref="PostgresSearchSql"/>: the same matching lists use), and the facets counted by SQL under the
/// filter (<see cref="PostgresEventFilterSql"/>) while a large store's copy is reloaded, or when the copy is off.
/// </summary>
public sealed class PostgresFacetCounter(
    PostgresConnections database, PostgresDateCategoryIndex copy, IDataVersion versions, StoreMetrics metrics)
    : EventFacetCounter(copy, versions)
{
    private sealed class CountRow
    {
        public string Value { get; init; } = string.Empty;

        public string? Label { get; init; }

        public long Count { get; init; }
    }

    protected override void Counted(string source) => metrics.Facets.Add(1, new KeyValuePair<string, object?>("source", source));

    /// <summary>
    /// The live events citing the filter's source and its scope's source and matching its search, each set read from its
    /// own index and intersected. The search's set is the search area's (<see cref="PostgresSearchSql"/>): the seam between
    /// facets and search is this one statement.
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
            sets.Add($"SELECT s.seq FROM {PostgresSearchSql.EventTable} s WHERE {PostgresSearchSql.RowMatches("s")}");
            parameters.Add(PostgresSearchSql.ParameterName, PostgresSearchSql.Parameter(filter.Search));
        }

        await using var connection = await database.OpenReadAsync(cancellationToken);
        return (await connection.QueryAsync<long>(new CommandDefinition(
            string.Join("\nINTERSECT\n", sets) + ";", parameters, cancellationToken: cancellationToken))).AsList();
    }

    protected override async Task<StoreFacetCounts> CountByStoreAsync(EventFilter filter, IReadOnlyList<string> facets, int limit, CancellationToken cancellationToken)
    {
        var values = new Dictionary<string, IReadOnlyList<FacetCount>>(StringComparer.Ordinal);
        IReadOnlyList<YearSpan> spans = [];
        await using var connection = await database.OpenReadAsync(cancellationToken);
        await using var snapshot = await PostgresReadSnapshot.BeginAsync(connection, cancellationToken);
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
                        "fx.entity_id AS value, MIN(n.name) AS label, COUNT(DISTINCT e.seq) AS count",
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

        await snapshot.CommitAsync(cancellationToken);
        return new StoreFacetCounts(values, spans);
    }

    private static async Task<IReadOnlyList<FacetCount>> CountAsync(
        NpgsqlConnection connection, NpgsqlTransaction snapshot, EventFilter filter, string select, string join, string groupBy, int limit, CancellationToken cancellationToken)
    {
        var parameters = new DynamicParameters();
        parameters.Add("Limit", limit);
        var sql = new StringBuilder($"SELECT {select}\nFROM events e {join}");
        PostgresEventFilterSql.Append(sql, PostgresEventFilterSql.Build(filter, parameters));
        sql.Append(CultureInfo.InvariantCulture, $"\nGROUP BY {groupBy}\nORDER BY count DESC, value COLLATE \"C\"\nLIMIT @Limit;");
        return (await connection.QueryAsync<CountRow>(new CommandDefinition(sql.ToString(), parameters, snapshot, cancellationToken: cancellationToken)))
            .Select(r => new FacetCount(r.Value, r.Label, r.Count)).ToList();
    }

    /// <summary>How many events start in one year and end in another (the year facet's raw counts), by SQL.</summary>
    private static async Task<IReadOnlyList<YearSpan>> SpansAsync(NpgsqlConnection connection, NpgsqlTransaction snapshot, EventFilter filter, CancellationToken cancellationToken)
    {
        var parameters = new DynamicParameters();
        var sql = new StringBuilder(
            """
            SELECT substr(e.first_day, 1, 4)::integer AS first_year, substr(e.last_day, 1, 4)::integer AS last_year, COUNT(*) AS count
            FROM events e
            """);
        PostgresEventFilterSql.Append(sql, PostgresEventFilterSql.Build(filter, parameters));
        sql.Append("\nGROUP BY 1, 2;");
        return (await connection.QueryAsync<(int FirstYear, int LastYear, long Count)>(new CommandDefinition(sql.ToString(), parameters, snapshot, cancellationToken: cancellationToken)))
            .Select(r => new YearSpan(r.FirstYear, r.LastYear, r.Count)).ToList();
    }
}
