using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

using Timeline.Model.Text;

namespace Timeline.Model.Search;

/// <summary>
/// Turns what a user types into a <see cref="SearchExpression"/>, which each store engine renders in its own full-text
/// syntax. User text never reaches an engine as it is: it is cut into words the way the index cuts text (SQLite's
/// unicode61 word characters, <see cref="Unicode61"/>), so an engine's own syntax (FTS5's column filters, NEAR, ^, +, stray quotes and brackets) is only ever read
/// as text.
///
/// Supported: plain words (all must match), "quoted phrases", prefix* (on a word or phrase whose last word has
/// at least <see cref="MinPrefixLength"/> characters), and the operators AND, OR and NOT written in capitals
/// between terms. Words joined by punctuation, such as Kirin-9000S, are searched as a phrase. Operators with
/// nothing on one side are ignored rather than refused.
/// <para>
/// The work one search may cause is bounded here by its shape (<see cref="MaxTerms"/> terms, <see cref="MaxPrefixes"/>
/// prefixes of at least <see cref="MinPrefixLength"/> characters: a shorter prefix stands for hundreds of words, each
/// read in full), and by the store engine's search budget from how often its words occur.
/// </para>
/// </summary>
public static class SearchQuery
{
    public const int MaxLength = 500;

    /// <summary>Words or phrases in one search: a question about a timeline needs a handful; 16 leaves room for a list of names joined by OR.</summary>
    public const int MaxTerms = 16;

    /// <summary>Prefix terms (word*) in one search: each one reads every word it stands for.</summary>
    public const int MaxPrefixes = 4;

    /// <summary>Characters a prefix needs before its *: sanc*, chip*, 900* (two letters stand for a twentieth of a vocabulary).</summary>
    public const int MinPrefixLength = 3;

    private enum Kind
    {
        Term,
        And,
        Or,
        Not,
    }

    private readonly record struct Token(Kind Kind, SearchTerm? Term = null);

    /// <summary>Builds the search's expression, or says why the text cannot be searched.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out SearchExpression? expression, out string? error)
    {
        expression = null;
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "the search text is empty";
            return false;
        }

        if (text.Length > MaxLength)
        {
            error = $"the search text is longer than {MaxLength} characters";
            return false;
        }

        var tokens = Tokenize(text, out var shortPrefix);
        if (shortPrefix is not null)
        {
            error = $"a prefix needs at least {MinPrefixLength} letters or digits before its * ('{shortPrefix}*' has {new StringInfo(shortPrefix).LengthInTextElements}): a shorter one stands for too many words to search";
            return false;
        }

        var output = new List<Token>();
        foreach (var token in tokens)
        {
            if (token.Kind == Kind.Term)
            {
                if (output.Count > 0 && output[^1].Kind == Kind.Term)
                {
                    output.Add(new Token(Kind.And));
                }

                output.Add(token);
            }
            else if (token.Kind == Kind.Not && (output.Count == 0 || output[^1].Kind != Kind.Term))
            {
                // "NOT b" alone cannot be searched (it would mean every event without b); say so rather than drop it.
                error = "NOT must stand between two terms, as in: huawei NOT smic";
                return false;
            }
            else if (output.Count > 0 && output[^1].Kind == Kind.Term)
            {
                output.Add(token);
            }
            else if (output.Count > 0)
            {
                // Two operators in a row: the later one wins ("a AND OR b" is "a OR b").
                output[^1] = token;
            }
        }

        while (output.Count > 0 && output[^1].Kind != Kind.Term)
        {
            output.RemoveAt(output.Count - 1);
        }

        var terms = output.Count(t => t.Kind == Kind.Term);
        if (terms == 0)
        {
            error = "the search text has no words to search for (letters or digits)";
            return false;
        }

        if (terms > MaxTerms)
        {
            error = $"the search text has {terms} words or phrases; at most {MaxTerms} may be searched at once";
            return false;
        }

        var prefixes = output.Count(t => t.Kind == Kind.Term && t.Term!.Prefix);
        if (prefixes > MaxPrefixes)
        {
            error = $"the search text has {prefixes} prefixes (word*); at most {MaxPrefixes} may be searched at once";
            return false;
        }

        expression = Build(output);
        return true;
    }

    /// <summary>
    /// The expression of terms joined by operators (<c>term (op term)*</c>), by the precedence of the query language:
    /// groups joined by OR, each of items joined by AND, each a term and the terms after its NOTs.
    /// </summary>
    private static SearchExpression Build(List<Token> output)
    {
        var groups = new List<SearchExpression>();
        var items = new List<SearchExpression>();
        var excluded = new List<SearchExpression>();
        SearchTerm? kept = null;
        var op = Kind.And;

        void EndItem()
        {
            items.Add(excluded.Count == 0 ? kept! : new SearchExcept(kept!, [.. excluded]));
            excluded.Clear();
        }

        void EndGroup()
        {
            EndItem();
            groups.Add(items.Count == 1 ? items[0] : new SearchAll([.. items]));
            items.Clear();
        }

        foreach (var token in output)
        {
            if (token.Kind != Kind.Term)
            {
                op = token.Kind;
                continue;
            }

            if (kept is null)
            {
                kept = token.Term;
            }
            else if (op == Kind.Not)
            {
                excluded.Add(token.Term!);
            }
            else
            {
                if (op == Kind.Or)
                {
                    EndGroup();
                }
                else
                {
                    EndItem();
                }

                kept = token.Term;
            }
        }

        EndGroup();
        return groups.Count == 1 ? groups[0] : new SearchAny(groups);
    }

    private static List<Token> Tokenize(string text, out string? shortPrefix)
    {
        shortPrefix = null;
        var tokens = new List<Token>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '"')
            {
                var close = text.IndexOf('"', i + 1);
                var end = close < 0 ? text.Length : close;
                var prefix = close >= 0 && close + 1 < text.Length && text[close + 1] == '*';
                shortPrefix ??= AddTerm(tokens, text[(i + 1)..end], prefix);
                i = close < 0 ? text.Length : close + (prefix ? 2 : 1);
                continue;
            }

            if (IsSeparator(c))
            {
                i++;
                continue;
            }

            var start = i;
            while (i < text.Length && !IsSeparator(text[i]) && text[i] != '"')
            {
                i++;
            }

            var word = text[start..i];
            switch (word)
            {
                case "AND":
                    tokens.Add(new Token(Kind.And));
                    break;
                case "OR":
                    tokens.Add(new Token(Kind.Or));
                    break;
                case "NOT":
                    tokens.Add(new Token(Kind.Not));
                    break;
                default:
                    var isPrefix = word.EndsWith('*');
                    shortPrefix ??= AddTerm(tokens, word.TrimEnd('*'), isPrefix);
                    break;
            }
        }

        return tokens;
    }

    /// <summary>
    /// Adds the words of <paramref name="raw"/> as one term (a phrase when there are several); returns the last word when
    /// it is a prefix too short to search.
    /// </summary>
    private static string? AddTerm(List<Token> tokens, string raw, bool prefix)
    {
        var words = Words(raw);
        if (words.Count == 0)
        {
            return null;
        }

        if (prefix && new StringInfo(words[^1]).LengthInTextElements < MinPrefixLength)
        {
            return words[^1];
        }

        tokens.Add(new Token(Kind.Term, new SearchTerm(words, prefix)));
        return null;
    }

    /// <summary>Cuts text into runs of word characters, as the unicode61 tokenizer does (<see cref="IsWordRune"/>).</summary>
    private static List<string> Words(string raw)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        foreach (var rune in raw.EnumerateRunes())
        {
            if (IsWordRune(rune))
            {
                current.Append(rune.ToString());
            }
            else if (current.Length > 0)
            {
                words.Add(current.ToString());
                current.Clear();
            }
        }

        if (current.Length > 0)
        {
            words.Add(current.ToString());
        }

        return words;
    }

    /// <summary>Whether a character belongs to a word, as SQLite's unicode61 tokenizer has it (<see cref="Unicode61"/>): the index cuts text at every other.</summary>
    internal static bool IsWordRune(Rune rune) => Unicode61.IsTokenChar(rune.Value);

    private static bool IsSeparator(char c) => char.IsWhiteSpace(c) || c is '(' or ')' || char.IsControl(c);
}
