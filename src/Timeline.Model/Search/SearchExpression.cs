using System.Text;

namespace Timeline.Model.Search;

/// <summary>
/// A parsed search (<see cref="SearchQuery.TryParse"/>): terms combined by AND, OR and NOT, with no engine's syntax in it.
/// Each store engine renders it in its own full-text language (SQLite: Timeline.Store.Sqlite/Search/Fts5Match.cs).
/// <para>
/// The parser builds one shape only, the precedence the query language has (NOT binds tighter than AND, AND tighter than
/// OR, no brackets): a <see cref="SearchAny"/> of groups, each a <see cref="SearchAll"/> of items, each a
/// <see cref="SearchExcept"/> or a <see cref="SearchTerm"/>; a combination of one operand is that operand.
/// </para>
/// </summary>
public abstract class SearchExpression
{
    private string? _canonical;

    private protected SearchExpression()
    {
    }

    /// <summary>
    /// The expression written out in the query language, every term quoted: <c>"huawei" AND "kirin 9000s" OR "sanc"*</c>
    /// (for the shapes the parser builds, a query that parses back to the same expression; others get brackets).
    /// Two searches with the same canonical text are the same search (whatever spacing or redundant operators the user
    /// typed), so it is what cursors are tied to (<see cref="Events.EventFilter.Fingerprint"/>). It is exactly the text
    /// the parser returned before searches were parsed into expressions, so cursors issued then still work.
    /// </summary>
    public string Canonical => _canonical ??= Write(new StringBuilder()).ToString();

    /// <summary>Every term of the expression, left to right (those after NOT too).</summary>
    public abstract IEnumerable<SearchTerm> Terms { get; }

    /// <summary>Appends the canonical text (<see cref="Canonical"/>).</summary>
    public abstract StringBuilder Write(StringBuilder text);

    public override string ToString() => Canonical;
}

/// <summary>A word, or a phrase of words in that order; with <see cref="Prefix"/>, the last word stands for every word it begins.</summary>
/// <param name="words">The words, cut as the full-text index cuts text (runs of letters, digits and combining marks); never empty.</param>
/// <param name="prefix">Whether the last word is a prefix (written word*).</param>
public sealed class SearchTerm(IReadOnlyList<string> words, bool prefix) : SearchExpression
{
    public IReadOnlyList<string> Words { get; } = words;

    public bool Prefix { get; } = prefix;

    /// <summary>Whether the term is a phrase of more than one word.</summary>
    public bool IsPhrase => Words.Count > 1;

    public override IEnumerable<SearchTerm> Terms => [this];

    public override StringBuilder Write(StringBuilder text)
    {
        text.Append('"');
        for (var i = 0; i < Words.Count; i++)
        {
            if (i > 0)
            {
                text.Append(' ');
            }

            text.Append(Words[i]);
        }

        text.Append('"');
        return Prefix ? text.Append('*') : text;
    }
}

/// <summary>Matches what every operand matches (AND).</summary>
public sealed class SearchAll(IReadOnlyList<SearchExpression> operands) : SearchExpression
{
    public IReadOnlyList<SearchExpression> Operands { get; } = operands;

    public override IEnumerable<SearchTerm> Terms => Operands.SelectMany(o => o.Terms);

    public override StringBuilder Write(StringBuilder text) => Join(text, Operands, " AND ", o => o is SearchAny);

    /// <summary>
    /// The operands joined by <paramref name="separator"/>; an operand that binds less tightly than its place (which the
    /// parser never builds) in brackets.
    /// </summary>
    internal static StringBuilder Join(StringBuilder text, IReadOnlyList<SearchExpression> operands, string separator, Func<SearchExpression, bool> bracket)
    {
        for (var i = 0; i < operands.Count; i++)
        {
            if (i > 0)
            {
                text.Append(separator);
            }

            Operand(text, operands[i], bracket(operands[i]));
        }

        return text;
    }

    internal static void Operand(StringBuilder text, SearchExpression operand, bool bracket)
    {
        if (bracket)
        {
            operand.Write(text.Append('(')).Append(')');
        }
        else
        {
            operand.Write(text);
        }
    }
}

/// <summary>Matches what any operand matches (OR).</summary>
public sealed class SearchAny(IReadOnlyList<SearchExpression> operands) : SearchExpression
{
    public IReadOnlyList<SearchExpression> Operands { get; } = operands;

    public override IEnumerable<SearchTerm> Terms => Operands.SelectMany(o => o.Terms);

    public override StringBuilder Write(StringBuilder text) => SearchAll.Join(text, Operands, " OR ", _ => false);
}

/// <summary>Matches what <see cref="Kept"/> matches and none of <see cref="Excluded"/> does (a NOT b NOT c).</summary>
public sealed class SearchExcept(SearchExpression kept, IReadOnlyList<SearchExpression> excluded) : SearchExpression
{
    public SearchExpression Kept { get; } = kept;

    public IReadOnlyList<SearchExpression> Excluded { get; } = excluded;

    public override IEnumerable<SearchTerm> Terms => Kept.Terms.Concat(Excluded.SelectMany(e => e.Terms));

    public override StringBuilder Write(StringBuilder text)
    {
        SearchAll.Operand(text, Kept, Kept is not SearchTerm);
        foreach (var excluded in Excluded)
        {
            SearchAll.Operand(text.Append(" NOT "), excluded, excluded is not SearchTerm);
        }

        return text;
    }
}
