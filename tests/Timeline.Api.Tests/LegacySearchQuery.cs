using System.Globalization;
using System.Text;

namespace Timeline.Api.Tests;

/// <summary>
/// Turns what a user types into an FTS5 MATCH expression that can never be a syntax error. User text is
/// never handed to FTS5 as it is: it is cut into words the way the index cuts text (letters and digits),
/// and every word or phrase is emitted quoted, so FTS5's own syntax (column filters, NEAR, ^, +, stray
/// quotes and brackets) is only ever read as text.
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
/// <summary>The parser as it was before searches became expressions (commit 26b41be), kept only to compare renderings.</summary>
internal static class LegacySearchQuery
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

    private readonly record struct Token(Kind Kind, string Text);

    /// <summary>Builds the MATCH expression, or says why the text cannot be searched.</summary>
    public static bool TryParse(string? text, out string match, out string? error)
    {
        match = string.Empty;
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
            error = $"a prefix needs at least {MinPrefixLength} letters or digits before its * ('{shortPrefix}*' has {shortPrefix.Length}): a shorter one stands for too many words to search";
            return false;
        }

        var output = new List<Token>();
        foreach (var token in tokens)
        {
            if (token.Kind == Kind.Term)
            {
                if (output.Count > 0 && output[^1].Kind == Kind.Term)
                {
                    output.Add(new Token(Kind.And, "AND"));
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

        var prefixes = output.Count(t => t.Kind == Kind.Term && t.Text.EndsWith('*'));
        if (prefixes > MaxPrefixes)
        {
            error = $"the search text has {prefixes} prefixes (word*); at most {MaxPrefixes} may be searched at once";
            return false;
        }

        match = string.Join(' ', output.Select(t => t.Text));
        return true;
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
                    tokens.Add(new Token(Kind.And, "AND"));
                    break;
                case "OR":
                    tokens.Add(new Token(Kind.Or, "OR"));
                    break;
                case "NOT":
                    tokens.Add(new Token(Kind.Not, "NOT"));
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
    /// Adds the words of <paramref name="raw"/> as one quoted FTS5 string (a phrase when there are several); returns
    /// the last word when it is a prefix too short to search.
    /// </summary>
    private static string? AddTerm(List<Token> tokens, string raw, bool prefix)
    {
        var words = Words(raw);
        if (words.Count == 0)
        {
            return null;
        }

        var phrase = new StringBuilder("\"").AppendJoin(' ', words).Append('"');
        if (prefix)
        {
            if (new StringInfo(words[^1]).LengthInTextElements < MinPrefixLength)
            {
                return words[^1];
            }

            phrase.Append('*');
        }

        tokens.Add(new Token(Kind.Term, phrase.ToString()));
        return null;
    }

    /// <summary>One word or phrase of a MATCH expression this class wrote: its words, and whether the last is a prefix.</summary>
    public sealed record Term(IReadOnlyList<string> Words, bool Prefix);

    /// <summary>
    /// Reads back a MATCH expression this class wrote, as groups that match when any group matches (OR), each the
    /// terms that must all match (AND), each the first term of a run of NOTs (what the run can match at most) and
    /// the terms after NOT (read, but not matched). FTS5 binds NOT tighter than AND, and AND tighter than OR.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<(Term Kept, IReadOnlyList<Term> Excluded)>> Read(string match)
    {
        var groups = new List<IReadOnlyList<(Term, IReadOnlyList<Term>)>>();
        var all = new List<(Term, IReadOnlyList<Term>)>();
        List<Term>? excluded = null;
        var negate = false;
        var i = 0;
        while (i < match.Length)
        {
            if (match[i] == ' ')
            {
                i++;
                continue;
            }

            if (match[i] == '"')
            {
                var close = match.IndexOf('"', i + 1);
                var words = match[(i + 1)..close].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var prefix = close + 1 < match.Length && match[close + 1] == '*';
                var term = new Term(words, prefix);
                if (negate)
                {
                    excluded!.Add(term);
                }
                else
                {
                    excluded = [];
                    all.Add((term, excluded));
                }

                negate = false;
                i = close + (prefix ? 2 : 1);
                continue;
            }

            var end = match.IndexOf(' ', i);
            var op = end < 0 ? match[i..] : match[i..end];
            if (op == "OR")
            {
                groups.Add(all);
                all = [];
            }

            negate = op == "NOT";
            i = end < 0 ? match.Length : end;
        }

        groups.Add(all);
        return groups;
    }

    /// <summary>Cuts text into runs of letters, digits and combining marks, as the unicode61 tokenizer does.</summary>
    private static List<string> Words(string raw)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        foreach (var rune in raw.EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            var wordy = Rune.IsLetterOrDigit(rune)
                || category is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark;
            if (wordy)
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

    private static bool IsSeparator(char c) => char.IsWhiteSpace(c) || c is '(' or ')' || char.IsControl(c);
}
