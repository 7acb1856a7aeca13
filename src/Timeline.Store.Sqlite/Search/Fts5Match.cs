using System.Text;
using Timeline.Model.Search;

namespace Timeline.Store.Sqlite;

/// <summary>
/// Renders a parsed search (<see cref="SearchExpression"/>) as an FTS5 MATCH expression that can never be a syntax error:
/// every word or phrase is an FTS5 string ("kirin 9000s", a prefix "sanc"*), so FTS5's own syntax in what the user typed
/// (column filters, NEAR, ^, +, quotes and brackets) is only ever read as text; AND, OR and NOT are FTS5's operators,
/// whose precedence (NOT over AND over OR) is the query language's, so the parser's expressions need no brackets.
/// </summary>
public static class Fts5Match
{
    public static string Render(SearchExpression expression) => Append(new StringBuilder(64), expression).ToString();

    private static StringBuilder Append(StringBuilder match, SearchExpression expression)
    {
        switch (expression)
        {
            case SearchTerm term:
                // Words are runs of word characters (Unicode61: letters, digits, some marks): never a quote that would need doubling. A word with
                // CJK characters is searched as the index holds it, each CJK character a token (CjkText): 华为 is "华 为".
                match.Append('"');
                var first = true;
                foreach (var word in term.Words)
                {
                    foreach (var piece in CjkText.Pieces(word))
                    {
                        if (!first)
                        {
                            match.Append(' ');
                        }

                        match.Append(piece);
                        first = false;
                    }
                }

                match.Append('"');
                return term.Prefix ? match.Append('*') : match;
            case SearchAll all:
                return Join(match, all.Operands, " AND ", o => o is SearchAny);
            case SearchAny any:
                return Join(match, any.Operands, " OR ", _ => false);
            case SearchExcept except:
                Operand(match, except.Kept, except.Kept is not SearchTerm);
                foreach (var excluded in except.Excluded)
                {
                    Operand(match.Append(" NOT "), excluded, excluded is not SearchTerm);
                }

                return match;
            default:
                throw Unknown(expression);
        }
    }

    private static StringBuilder Join(StringBuilder match, IReadOnlyList<SearchExpression> operands, string separator, Func<SearchExpression, bool> bracket)
    {
        for (var i = 0; i < operands.Count; i++)
        {
            if (i > 0)
            {
                match.Append(separator);
            }

            Operand(match, operands[i], bracket(operands[i]));
        }

        return match;
    }

    private static void Operand(StringBuilder match, SearchExpression operand, bool bracket)
    {
        if (bracket)
        {
            Append(match.Append('('), operand).Append(')');
        }
        else
        {
            Append(match, operand);
        }
    }

    private static NotSupportedException Unknown(SearchExpression expression) => new($"no FTS5 rendering for {expression.GetType().Name}");
}
