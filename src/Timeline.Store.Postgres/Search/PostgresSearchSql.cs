namespace Timeline.Store.Postgres;

/// <summary>
/// The search as the PostgreSQL engine's other reads use it (lists, facets, exports, relevance order): one parsed
/// <see cref="SearchExpression"/> becomes one tsquery parameter (<see cref="Parameter"/>, the text of
/// <see cref="PostgresTsQuery.Render"/>), and these fragments match, rank and excerpt events with it. Search syntax and
/// meaning are the SQLite engine's: words, "phrases", prefixes, AND/OR/NOT, punctuation-joined words as phrases, case
/// and diacritics folded.
/// <example>
/// <code>
/// parameters.Add(PostgresSearchSql.ParameterName, PostgresSearchSql.Parameter(filter.Search));
/// where.Add(PostgresSearchSql.EventMatches("e.seq"));
/// // relevance: ... JOIN event_search s ON s.seq = e.seq WHERE s.document @@ @Search::tsquery ORDER BY {EventScore("s")}, e.first_day, ...
/// </code>
/// </example>
/// </summary>
public static class PostgresSearchSql
{
    /// <summary>The name of the tsquery parameter the fragments refer to (as @Search).</summary>
    public const string ParameterName = "Search";

    /// <summary>The value of the tsquery parameter: the search as tsquery text (cast in the SQL, so it is bound as text).</summary>
    public static string Parameter(SearchExpression search) => PostgresTsQuery.Render(search);

    /// <summary>The parameter as a tsquery in SQL.</summary>
    public const string Query = "@" + ParameterName + "::tsquery";

    /// <summary>The table of the events' search rows (seq = events.seq; document = the tsvector, under a GIN index). Only live events have one.</summary>
    public const string EventTable = "event_search";

    /// <summary>
    /// The condition that the event numbered <paramref name="seqColumn"/> (e.g. "e.seq") matches the search: a semi-join
    /// on the search rows, which the planner answers from the GIN index (few matches) or row by row in the order of the
    /// driving index (many matches, a short page).
    /// </summary>
    public static string EventMatches(string seqColumn) =>
        $"{seqColumn} IN (SELECT {EventTable}.seq FROM {EventTable} WHERE {EventTable}.document @@ {Query})";

    /// <summary>
    /// The same condition checked for one event at a time: its search row looked up by key and matched (no row, a
    /// deleted event: no match). For walks that stop when their page is full; never for a statement that reads every
    /// match (it would look up every event's row rather than read the GIN index). The tsquery is cast once per
    /// statement (the inner scalar subquery is an InitPlan, kept across the lookups), not parsed again for every event
    /// the walk looks up.
    /// </summary>
    public static string EventRowMatches(string seqColumn) =>
        $"COALESCE((SELECT x.document @@ (SELECT {Query}) FROM {EventTable} x WHERE x.seq = {seqColumn}), false)";

    /// <summary>The condition that a search row aliased <paramref name="alias"/> (joined on seq) matches the search.</summary>
    public static string RowMatches(string alias) => $"{alias}.document @@ {Query}";

    /// <summary>
    /// The relevance of a matching search row aliased <paramref name="alias"/>, LOWER IS BETTER (as the SQLite engine's
    /// BM25 score, so cursors compare the same way): minus ts_rank with title, summary, tags and the rest (quotes,
    /// references, names) weighted 1.0, 0.4, 0.2, 0.1 (weights A, B, C, D), as a float8 that a cursor carries exactly.
    /// </summary>
    public static string EventScore(string alias) => $"(-ts_rank('{{0.1, 0.2, 0.4, 1.0}}', {alias}.document, {Query}))::float8";
}
