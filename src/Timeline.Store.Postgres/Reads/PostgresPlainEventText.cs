using System.Net;
using System.Text;
using Dapper;
using Npgsql;

namespace Timeline.Store.Postgres;

/// <summary>
/// A plain stand-in for the search area's text filter (<see cref="IPostgresEventText"/>): the search as a tsquery of the
/// 'simple' configuration over each event's title, summary and tags, computed as the row is read (no index, no
/// weights, no folding of diacritics). It keeps lists with a <c>q</c> answering until the search area registers its own.
/// </summary>
public sealed class PostgresPlainEventText : IPostgresEventText
{
    private static string Document(string e) => $"to_tsvector('simple', {e}.title || ' ' || {e}.summary || ' ' || {e}.tags)";

    public string Matches(SearchExpression search, string e, DynamicParameters parameters)
    {
        parameters.Add("TextQuery", Render(search));
        return $"{Document(e)} @@ to_tsquery('simple', @TextQuery)";
    }

    public string Score(SearchExpression search, string e, DynamicParameters parameters)
    {
        parameters.Add("TextQuery", Render(search));
        return $"(-ts_rank({Document(e)}, to_tsquery('simple', @TextQuery)))::float8";
    }

    public async Task<IReadOnlyDictionary<long, string>> SnippetsAsync(NpgsqlConnection connection, SearchExpression search, IReadOnlyList<long> eventSeqs, CancellationToken cancellationToken)
    {
        var rows = await connection.QueryAsync<(long Seq, string Snippet)>(new CommandDefinition(
            """
            SELECT e.seq, ts_headline('simple', e.title || ' ' || e.summary, to_tsquery('simple', @Query),
                                      'StartSel=' || chr(1) || ', StopSel=' || chr(2) || ', MaxWords=16, MinWords=8')
            FROM events e WHERE e.seq = ANY(@Seqs);
            """,
            new { Query = Render(search), Seqs = eventSeqs.ToArray() },
            cancellationToken: cancellationToken));
        return rows.ToDictionary(r => r.Seq, r => ToHtml(r.Snippet));
    }

    /// <summary>The snippet as HTML: the text escaped, the words between the markers in &lt;mark&gt;.</summary>
    private static string ToHtml(string marked) =>
        WebUtility.HtmlEncode(marked).Replace("\u0001", "<mark>", StringComparison.Ordinal).Replace("\u0002", "</mark>", StringComparison.Ordinal);

    /// <summary>The search as tsquery text: words are runs of letters, digits and marks, so each is a lexeme as it stands.</summary>
    private static string Render(SearchExpression search) => search switch
    {
        SearchTerm term => "(" + string.Join(" <-> ", term.Words.Select((w, i) => $"'{w.ToLowerInvariant()}'" + (term.Prefix && i == term.Words.Count - 1 ? ":*" : string.Empty))) + ")",
        SearchAll all => "(" + string.Join(" & ", all.Operands.Select(Render)) + ")",
        SearchAny any => "(" + string.Join(" | ", any.Operands.Select(Render)) + ")",
        SearchExcept except => "(" + Render(except.Kept) + string.Concat(except.Excluded.Select(x => " & !" + Render(x))) + ")",
        _ => throw new ArgumentOutOfRangeException(nameof(search)),
    };
}
