using Timeline.Model.Store.Engine;

namespace Timeline.Store.Sqlite;

/// <summary>
/// FTS5's snippets, with the bytes 0xFE and 0xFF (<see cref="SnippetHtml.Open"/>, <see cref="SnippetHtml.Close"/>) around
/// the matched words: bytes that never occur in UTF-8 text. The snippet is therefore read as bytes (cast to a BLOB) and
/// turned into HTML by <see cref="SnippetHtml.FromMarkers"/>, which splits it on the markers before it decodes it.
/// </summary>
public static class Snippets
{
    /// <summary>The SQL of a snippet column of <paramref name="table"/> (an FTS5 table) with at most <paramref name="tokens"/> tokens, read as bytes.</summary>
    public static string Column(string table, int tokens) =>
        $"CAST(snippet({table}, -1, X'FE', X'FF', '…', {tokens}) AS BLOB)";
}
