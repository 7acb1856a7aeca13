using Npgsql;

namespace Timeline.Store.Postgres;

/// <summary>
/// Bounds the work one search may cause before it runs (<see cref="SearchBudgetRules"/>, the rules both engines share),
/// from how many live events hold each of its words: read from search_terms (kept by <see cref="PostgresSearchIndex"/>
/// in every write), a prefix's words as one range of its primary key, kept per data version.
/// </summary>
public sealed class PostgresSearchBudget(PostgresConnections database, PostgresDataVersion state, IOptions<TimelineOptions> options) : ISearchBudget
{
    private readonly SearchBudgetRules _rules = new(options.Value.SearchReadLimit, options.Value.SearchRankLimit, options.Value.SearchFacetLimit);

    public async Task<string?> CheckAsync(SearchExpression search, SearchWork work, CancellationToken cancellationToken)
    {
        var version = (await state.GetAsync(cancellationToken)).DataVersion;
        return await _rules.CheckAsync(search, work, version, () => database.OpenReadAsync(cancellationToken), async (connection, word, prefix) =>
        {
            await using var command = new NpgsqlCommand(
                prefix
                    ? "SELECT COALESCE(SUM(documents), 0)::bigint FROM search_terms WHERE term >= @low AND term <= @high;"
                    : "SELECT COALESCE(SUM(documents), 0)::bigint FROM search_terms WHERE term = @low;",
                connection);
            command.Parameters.AddWithValue("low", word);
            if (prefix)
            {
                command.Parameters.AddWithValue("high", word + char.ConvertFromUtf32(0x10FFFF));
            }

            return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        });
    }
}
