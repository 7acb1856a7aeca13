using System.Text;

namespace Timeline.Store.Postgres;

/// <summary>
/// Renders a parsed search (<see cref="SearchExpression"/>) as the text of a PostgreSQL tsquery, which can never be a
/// syntax error: every word is a quoted lexeme already folded as the index folds it (<see cref="SearchText"/>), so
/// nothing the user typed is ever read as tsquery syntax. A phrase is its words joined by &lt;-&gt; (followed by), a
/// prefix is :* on its last word, a word with CJK characters is the phrase of its pieces (华为 is '华' &lt;-&gt; '为'),
/// AND is &amp;, OR is |, and NOT is &amp; !; every operand that is not a term is bracketed. The text is bound as a
/// parameter and cast: <c>@Query::tsquery</c> (tsquery's input takes quoted lexemes as they are, with no parser or
/// dictionary of its own), so the search uses no text search configuration at all.
/// </summary>
public static class PostgresTsQuery
{
    /// <summary>A lexeme no text ever holds (the index keeps words only): what a term that folds to no word searches for.</summary>
    private const string Nothing = "'-'";

    public static string Render(SearchExpression expression) => Append(new StringBuilder(64), expression).ToString();

    private static StringBuilder Append(StringBuilder query, SearchExpression expression)
    {
        switch (expression)
        {
            case SearchTerm term:
                var lexemes = SearchText.Lexemes(term);
                if (lexemes.Count == 0)
                {
                    return query.Append(Nothing);
                }

                for (var i = 0; i < lexemes.Count; i++)
                {
                    if (i > 0)
                    {
                        query.Append(" <-> ");
                    }

                    Lexeme(query, lexemes[i]);
                }

                return term.Prefix ? query.Append(":*") : query;
            case SearchAll all:
                return Join(query, all.Operands, " & ");
            case SearchAny any:
                return Join(query, any.Operands, " | ");
            case SearchExcept except:
                Operand(query, except.Kept);
                foreach (var excluded in except.Excluded)
                {
                    // ! binds tighter than <->: what NOT excludes is always bracketed.
                    Append(query.Append(" & !("), excluded).Append(')');
                }

                return query;
            default:
                throw new NotSupportedException($"no tsquery rendering for {expression.GetType().Name}");
        }
    }

    /// <summary>A quoted lexeme: quotes doubled and backslashes escaped (a word holds neither; this keeps it so).</summary>
    private static void Lexeme(StringBuilder query, string lexeme) =>
        query.Append('\'').Append(lexeme.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "''", StringComparison.Ordinal)).Append('\'');

    private static StringBuilder Join(StringBuilder query, IReadOnlyList<SearchExpression> operands, string separator)
    {
        for (var i = 0; i < operands.Count; i++)
        {
            if (i > 0)
            {
                query.Append(separator);
            }

            Operand(query, operands[i]);
        }

        return query;
    }

    /// <summary>A term as it is (a phrase binds tighter than every other operator), anything else in brackets.</summary>
    private static void Operand(StringBuilder query, SearchExpression operand)
    {
        if (operand is SearchTerm)
        {
            Append(query, operand);
        }
        else
        {
            Append(query.Append('('), operand).Append(')');
        }
    }
}
