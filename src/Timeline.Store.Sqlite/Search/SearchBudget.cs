using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Timeline.Store.Sqlite;

/// <summary>
/// Bounds the work one search may cause before it runs (<see cref="SearchBudgetRules"/>, the rules both engines share),
/// from how often its words occur in the full-text index: read from FTS5's own vocabulary (fts5vocab of events_fts),
/// kept per data version.
/// </summary>
public sealed class SearchBudget(SqliteConnections database, DataVersionCache state, IOptions<TimelineOptions> options) : ISearchBudget
{
    private readonly SearchBudgetRules _rules = new(options.Value.SearchReadLimit, options.Value.SearchRankLimit, options.Value.SearchFacetLimit);

    /// <summary>Why the search <paramref name="search"/> may not do <paramref name="work"/>, or null when it may.</summary>
    public async Task<string?> CheckAsync(SearchExpression search, SearchWork work, CancellationToken cancellationToken)
    {
        var version = (await state.GetAsync(cancellationToken)).DataVersion;
        return await _rules.CheckAsync(search, work, version, () => OpenVocabularyAsync(cancellationToken), async (connection, key, prefix) =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = prefix
                ? "SELECT COALESCE(SUM(doc), 0) FROM temp.timeline_events_vocabulary WHERE term >= $low AND term <= $high;"
                : "SELECT COALESCE(SUM(doc), 0) FROM temp.timeline_events_vocabulary WHERE term = $low;";
            command.Parameters.AddWithValue("$low", key);
            if (prefix)
            {
                command.Parameters.AddWithValue("$high", key + char.ConvertFromUtf32(0x10FFFF));
            }

            return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        });
    }

    /// <summary>A pooled connection with FTS5's vocabulary of the events' index as a temporary table (kept with the physical connection).</summary>
    private async Task<SqliteConnection> OpenVocabularyAsync(CancellationToken cancellationToken)
    {
        var connection = await database.OpenAsync(cancellationToken);
        using var create = connection.CreateCommand();
        create.CommandText = "CREATE VIRTUAL TABLE IF NOT EXISTS temp.timeline_events_vocabulary USING fts5vocab(main, events_fts, row);";
        await create.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }
}
