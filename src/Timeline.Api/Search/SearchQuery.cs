using System.Globalization;
using System.Text;

namespace Timeline.Api.Search;

/// <summary>
/// Turns what a user types into an FTS5 MATCH expression that can never be a syntax error. User text is
/// never handed to FTS5 as it is: it is cut into words the way the index cuts text (letters and digits),
/// and every word or phrase is emitted quoted, so FTS5's own syntax (column filters, NEAR, ^, +, stray
/// quotes and brackets) is only ever read as text.
///
/// Supported: plain words (all must match), "quoted phrases", prefix* (on a word or phrase of at least
/// two characters), and the operators AND, OR and NOT written in capitals between terms. Words joined by
/// punctuation, such as Kirin-9000S, are searched as a phrase. Operators with nothing on one side are
/// ignored rather than refused.
/// </summary>
public static class SearchQuery
{
    public const int MaxLength = 500;
    public const int MaxTerms = 32;

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

        var tokens = Tokenize(text);
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
            error = $"the search text has more than {MaxTerms} words or phrases";
            return false;
        }

        match = string.Join(' ', output.Select(t => t.Text));
        return true;
    }

    private static List<Token> Tokenize(string text)
    {
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
                AddTerm(tokens, text[(i + 1)..end], prefix);
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
                    AddTerm(tokens, word.TrimEnd('*'), isPrefix);
                    break;
            }
        }

        return tokens;
    }

    /// <summary>Adds the words of <paramref name="raw"/> as one quoted FTS5 string (a phrase when there are several).</summary>
    private static void AddTerm(List<Token> tokens, string raw, bool prefix)
    {
        var words = Words(raw);
        if (words.Count == 0)
        {
            return;
        }

        var phrase = new StringBuilder("\"").AppendJoin(' ', words).Append('"');
        if (prefix && words[^1].Length >= 2)
        {
            phrase.Append('*');
        }

        tokens.Add(new Token(Kind.Term, phrase.ToString()));
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
