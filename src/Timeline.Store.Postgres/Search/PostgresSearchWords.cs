using System.Collections;
using System.Security.Cryptography;
using System.Text;

namespace Timeline.Store.Postgres;

/// <summary>
/// The signature of an event's words (events.words, migration 0007) and of the words a search cannot match without:
/// 512 bits, each word setting three chosen by the MD5 of its UTF-8 bytes (the first three 16-bit groups, modulo 512),
/// the same bits as the migration's timeline_words(text[]) (tested equal). A walk of the timeline for a search keeps
/// only the events whose signature holds every bit of the search's (<see cref="Condition"/>) and looks up the search
/// rows of those alone. It also bounds how many events a search can match (<see cref="Required"/>: at most as many as
/// hold its rarest required word), which decides whether its page is walked or read from the matches themselves.
/// </summary>
public static class PostgresSearchWords
{
    /// <summary>The signature's length in bits.</summary>
    public const int Bits = 512;

    /// <summary>The name of the parameter that holds a search's signature (as text of 0s and 1s, cast in the SQL).</summary>
    public const string ParameterName = "SearchWords";

    /// <summary>
    /// The condition that the event aliased <paramref name="e"/> may hold every required word: its signature (a NULL
    /// one, never computed, lets it through) holds every bit of @SearchWords (OR-ing them in changes nothing).
    /// <para>
    /// The parameter is cast once per statement, in a scalar subquery (an InitPlan): a walk checks this for each of
    /// the ~1,500 index entries it passes, and in a prepared statement's generic plan a bare <c>@SearchWords::bit(512)</c>
    /// parsed the 512 characters again for every entry (twice, as <c>(words &amp; m) = m</c> named it twice). Measured
    /// over 18,322 entries of events_timeline: 24 ms with the cast per entry, 4.5 ms with a bit(512) value.
    /// </para>
    /// </summary>
    public static string Condition(string e) =>
        $"({e}.words IS NULL OR ({e}.words | (SELECT @{ParameterName}::bit({Bits}))) = {e}.words)";

    /// <summary>The signature of <paramref name="lexemes"/> (folded words, as the search rows hold them).</summary>
    public static BitArray Of(IEnumerable<string> lexemes)
    {
        var bits = new int[Bits / 32];
        Set(lexemes, bits);
        return new BitArray(bits);
    }

    /// <summary>
    /// Sets the signature of <paramref name="lexemes"/> in <paramref name="bits"/> (<see cref="Bits"/> / 32 numbers, bit
    /// i of the signature bit i % 32 of number i / 32, as <see cref="BitArray(int[])"/> reads them). A caller that hashes
    /// the words of many records (a first load) passes <paramref name="known"/>, the bits of the words it has hashed on
    /// this thread (kept to <see cref="KnownWords"/> words: a store's vocabulary is far smaller than its words).
    /// </summary>
    public static void Set(IEnumerable<string> lexemes, Span<int> bits, Dictionary<string, int>? known = null)
    {
        foreach (var lexeme in lexemes)
        {
            int three;
            if (known is null)
            {
                three = BitsOf(lexeme);
            }
            else if (!known.TryGetValue(lexeme, out three))
            {
                three = BitsOf(lexeme);
                if (known.Count >= KnownWords)
                {
                    known.Clear();
                }

                known[lexeme] = three;
            }

            for (var k = 0; k < 3; k++)
            {
                var bit = (three >> (10 * k)) & (Bits - 1);
                bits[bit >> 5] |= 1 << (bit & 31);
            }
        }
    }

    /// <summary>How many words' bits a caller of <see cref="Set"/> keeps before it starts again.</summary>
    public const int KnownWords = 200_000;

    /// <summary>The three bits <paramref name="lexeme"/> sets, ten bits apart in one number.</summary>
    private static int BitsOf(string lexeme)
    {
        var length = Encoding.UTF8.GetByteCount(lexeme);
        var bytes = length <= 256 ? stackalloc byte[length] : new byte[length];
        Encoding.UTF8.GetBytes(lexeme, bytes);
        Span<byte> hash = stackalloc byte[MD5.HashSizeInBytes];
#pragma warning disable CA5351 // MD5 spreads words over the bits as the SQL function's md5() does: a hash for a filter, not for security.
        MD5.HashData(bytes, hash);
#pragma warning restore CA5351
        var three = 0;
        for (var k = 0; k < 3; k++)
        {
            three |= (((hash[2 * k] << 8) | hash[(2 * k) + 1]) & (Bits - 1)) << (10 * k);
        }

        return three;
    }

    /// <summary>The signature of <paramref name="lexemes"/> as the text of a bit string, for a parameter cast ::bit(512).</summary>
    public static string Signature(IEnumerable<string> lexemes) => Text(Of(lexemes));

    /// <summary>A signature as the text of a bit string ('0' and '1', the first bit first), for a ::bit(512) cast.</summary>
    public static string Text(BitArray bits)
    {
        var text = new char[bits.Length];
        for (var i = 0; i < text.Length; i++)
        {
            text[i] = bits[i] ? '1' : '0';
        }

        return new string(text);
    }

    /// <summary>
    /// The words every match of <paramref name="search"/> holds: all the words of a term (but the begun last word of a
    /// prefix), every operand's of AND, those common to every operand of OR, the kept side's of NOT. Empty when no word
    /// is certain (a lone prefix, an OR of different words).
    /// </summary>
    public static IReadOnlySet<string> Required(SearchExpression search)
    {
        switch (search)
        {
            case SearchTerm term:
                // A term that folds to no word searches for a word no text holds (PostgresTsQuery's '-'): so it requires it.
                var lexemes = SearchText.Lexemes(term);
                if (lexemes.Count == 0)
                {
                    return new HashSet<string>(["-"], StringComparer.Ordinal);
                }

                return lexemes.Take(term.Prefix ? lexemes.Count - 1 : lexemes.Count).ToHashSet(StringComparer.Ordinal);
            case SearchAll all:
                var union = new HashSet<string>(StringComparer.Ordinal);
                foreach (var operand in all.Operands)
                {
                    union.UnionWith(Required(operand));
                }

                return union;
            case SearchAny any:
                HashSet<string>? common = null;
                foreach (var operand in any.Operands)
                {
                    if (common is null)
                    {
                        common = new HashSet<string>(Required(operand), StringComparer.Ordinal);
                    }
                    else
                    {
                        common.IntersectWith(Required(operand));
                    }
                }

                return common ?? new HashSet<string>(StringComparer.Ordinal);
            case SearchExcept except:
                return Required(except.Kept);
            default:
                return new HashSet<string>(StringComparer.Ordinal);
        }
    }
}
