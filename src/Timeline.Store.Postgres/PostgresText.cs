namespace Timeline.Store.Postgres;

/// <summary>
/// PostgreSQL's text cannot hold U+0000: no stored value has one, and a statement given one as a parameter fails
/// (22021, "invalid byte sequence"). The lookups that take ids from a request body (a write's own id, the entities,
/// sources and events it names, an import's) therefore leave such ids out and find nothing for them, as the SQLite
/// engine's lookups do; the rules that come after (an id's form, an unknown entity) then say what is wrong, on both
/// engines alike. Query parameters holding one are refused before any store is asked (QueryParameterGuard).
/// </summary>
internal static class PostgresText
{
    /// <summary>Whether PostgreSQL can compare the value with stored text (it holds no NUL).</summary>
    public static bool Comparable(string value) => !value.Contains('\0', StringComparison.Ordinal);

    /// <summary>The distinct values that PostgreSQL can compare with stored text; the others match nothing.</summary>
    public static string[] Comparable(IEnumerable<string> values) =>
        values.Where(Comparable).Distinct(StringComparer.Ordinal).ToArray();
}
