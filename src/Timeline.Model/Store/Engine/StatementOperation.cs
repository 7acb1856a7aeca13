namespace Timeline.Model.Store.Engine;

/// <summary>The operation of an SQL statement, as the store's metrics and activities name it.</summary>
public static class StatementOperation
{
    /// <summary>The first word of a statement, lower case, from a closed set (so it is safe as a metric label).</summary>
    public static string Of(ReadOnlySpan<char> sql)
    {
        var span = sql.TrimStart();
        var end = 0;
        while (end < span.Length && end < 12 && char.IsAsciiLetter(span[end]))
        {
            end++;
        }

        return span[..end].ToString().ToUpperInvariant() switch
        {
            "SELECT" => "select",
            "WITH" => "with",
            "INSERT" => "insert",
            "UPDATE" => "update",
            "DELETE" => "delete",
            "REPLACE" => "replace",
            "PRAGMA" => "pragma",
            "BEGIN" or "START" => "begin",
            "COMMIT" or "END" => "commit",
            "ROLLBACK" => "rollback",
            "SAVEPOINT" or "RELEASE" => "savepoint",
            "CREATE" or "DROP" or "ALTER" => "schema",
            "VACUUM" => "vacuum",
            "ANALYZE" => "analyze",
            "COPY" => "copy",
            "SET" => "set",
            _ => "other",
        };
    }
}
