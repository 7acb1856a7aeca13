using Dapper;
using Npgsql;

namespace Timeline.Store.Postgres;

/// <summary>
/// The seam between the reads and the search: the text filter (<see cref="EventFilter.Search"/>) of the one filter model
/// as PostgreSQL SQL. The reads (pages, exports, and whatever else compiles a filter through
/// <see cref="PostgresEventFilterSql"/>) decide which index drives a page, its order and its cursor; the search area
/// decides what a search matches, how well, and its snippets, by registering its own implementation (in
/// PostgresStoreServices.Search.cs, after the reads', so it replaces <see cref="PostgresPlainEventText"/>).
/// Every method renders SQL over the events row aliased <c>e</c> (the alias given), adding the values it needs to
/// <c>parameters</c> under names that begin with "Text"; only fixed SQL goes into the text.
/// </summary>
public interface IPostgresEventText
{
    /// <summary>A condition that holds when the event matches the search (deleted events are left out by the caller).</summary>
    string Matches(SearchExpression search, string e, DynamicParameters parameters);

    /// <summary>
    /// The event's relevance to the search as a double precision where LOWER is a better match (the cursor keeps it, and
    /// ties go in timeline order); evaluated for matching events only.
    /// </summary>
    string Score(SearchExpression search, string e, DynamicParameters parameters);

    /// <summary>
    /// The snippets of a page's events (by their seq), HTML: the text escaped, the matched words in &lt;mark&gt;. Runs
    /// on the page's connection, inside its snapshot when it has one.
    /// </summary>
    Task<IReadOnlyDictionary<long, string>> SnippetsAsync(NpgsqlConnection connection, SearchExpression search, IReadOnlyList<long> eventSeqs, CancellationToken cancellationToken);
}
