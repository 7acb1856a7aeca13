using System.Globalization;
using System.Text;

namespace Timeline.Model.Entities;

/// <summary>
/// A name as the entity matcher compares it: folded (case, accents, pinyin tone marks and tone numbers, compatibility
/// forms such as full-width letters) and cut into words. Chinese, Japanese and Korean characters make words of their own
/// runs (华为技术 is one word, 麒麟9000S is 麒麟 and 9000s); legal forms are abbreviated (Corporation is corp). Built once
/// per name; pure.
/// </summary>
public sealed class NameText
{
    /// <summary>Words that say what kind of body a name is rather than which: they count little in a match.</summary>
    private static readonly HashSet<string> LegalForms = new(StringComparer.Ordinal)
    {
        "corporation", "corp", "company", "co", "inc", "incorporated", "ltd", "limited", "llc", "plc", "gmbh", "ag", "sa",
        "group", "holding", "holdings", "the", "of", "and", "for",
    };

    /// <summary>Legal forms written out and abbreviated are one word: Corporation is corp, Company co, Limited ltd.</summary>
    private static readonly Dictionary<string, string> LegalAbbreviations = new(StringComparer.Ordinal)
    {
        ["corporation"] = "corp",
        ["company"] = "co",
        ["limited"] = "ltd",
        ["incorporated"] = "inc",
        ["holdings"] = "holding",
    };

    /// <summary>Words left out of initials: "Bureau of Industry and Security" is BIS.</summary>
    private static readonly HashSet<string> Particles = new(StringComparer.Ordinal) { "of", "and", "the", "for", "de", "la", "du" };

    private NameText(string original, string[] words, double[] weights, bool[] cjk, ulong[] letters)
    {
        Original = original;
        Words = words;
        Weights = weights;
        IsCjk = cjk;
        Letters = letters;
        Compact = string.Concat(words);
        TotalWeight = weights.Sum();
        SortedWords = string.Join(' ', words.Order(StringComparer.Ordinal));
        var runs = new List<(int Start, int End, string Text)>();
        for (var start = 0; start < words.Length - 1; start++)
        {
            var run = words[start];
            for (var end = start + 1; end < Math.Min(words.Length, start + 3); end++)
            {
                run += words[end];
                runs.Add((start, end, run));
            }
        }

        Runs = runs.ToArray();
        Initials = words.Length >= 2 && !cjk.Any(c => c)
            ? string.Concat(words.Where(w => !Particles.Contains(w)).Select(w => w[0]))
            : string.Empty;
    }

    /// <summary>The name as written.</summary>
    public string Original { get; }

    /// <summary>The folded words, in order.</summary>
    public IReadOnlyList<string> Words { get; }

    /// <summary>Each word's weight: 1, or 0.1 for a legal form or particle (Corporation, Ltd, of).</summary>
    public IReadOnlyList<double> Weights { get; }

    /// <summary>Whether each word is a run of Chinese, Japanese or Korean characters.</summary>
    public IReadOnlyList<bool> IsCjk { get; }

    /// <summary>A 64-bit set of the characters of each word, to skip comparing words that share too few.</summary>
    internal ulong[] Letters { get; }

    /// <summary>The words in ordinal order, joined by spaces: two names with the same words in any order have the same.</summary>
    public string SortedWords { get; }

    /// <summary>Two or three adjacent words run together (zhi jun: zhijun), with the first and last word's index.</summary>
    internal (int Start, int End, string Text)[] Runs { get; }

    /// <summary>The words run together: "Xu Zhijun", "XuZhijun" and "xu-zhijun" are all xuzhijun.</summary>
    public string Compact { get; }

    /// <summary>The first letters of the words but particles (smic, bis, tsmc); empty for one word or CJK text.</summary>
    public string Initials { get; }

    public double TotalWeight { get; }

    /// <summary>The name folded and cut into words.</summary>
    public static NameText Of(string? text)
    {
        var folded = Fold(text ?? string.Empty);
        var words = new List<string>();
        var cjk = new List<bool>();
        var word = new StringBuilder();
        var wordIsCjk = false;
        foreach (var ch in folded)
        {
            if (ch is '\'' or '\u2019')
            {
                continue; // O'Brien is obrien
            }

            var isCjk = IsCjkChar(ch);
            if (!isCjk && !char.IsLetterOrDigit(ch))
            {
                Flush();
                continue;
            }

            if (word.Length > 0 && isCjk != wordIsCjk)
            {
                Flush();
            }

            wordIsCjk = isCjk;
            word.Append(ch);
        }

        Flush();
        var wordArray = words.ToArray();
        return new NameText(
            text ?? string.Empty,
            wordArray,
            wordArray.Select(w => LegalForms.Contains(w) ? 0.1 : 1.0).ToArray(),
            cjk.ToArray(),
            wordArray.Select(LetterSet).ToArray());

        void Flush()
        {
            if (word.Length > 0)
            {
                var w = word.ToString();
                if (!wordIsCjk)
                {
                    w = StripToneNumbers(w);
                    w = LegalAbbreviations.GetValueOrDefault(w, w);
                }

                words.Add(w);
                cjk.Add(wordIsCjk);
                word.Clear();
            }
        }
    }

    /// <summary>
    /// Lower case, compatibility forms folded (full-width Ｈｕａｗｅｉ is huawei), accents and pinyin tone marks removed
    /// (Xú Zhìjūn is xu zhijun), and the letters that do not decompose spelt out (ß ss, æ ae, ø o, ł l).
    /// Hangul and CJK characters are kept as they are.
    /// </summary>
    public static string Fold(string text)
    {
        // Composed first where the runtime can (a decomposed é becomes é); the tables below then fold letter by letter,
        // so that folding does not depend on the globalization mode the server runs in.
        var composed = text;
        try
        {
            composed = text.Normalize(NormalizationForm.FormC);
        }
        catch (ArgumentException)
        {
            // Text with an unpaired surrogate is folded as it is.
        }

        var folded = new StringBuilder(composed.Length);
        foreach (var raw in composed)
        {
            var ch = raw is >= '\uFF01' and <= '\uFF5E' ? (char)(raw - 0xFEE0) : raw; // full-width ASCII
            if (ch < 0x80)
            {
                folded.Append(char.ToLowerInvariant(ch));
            }
            else if (IsCjkChar(ch) || char.IsSurrogate(ch))
            {
                folded.Append(ch);
            }
            else if (BaseLetters.TryGetValue(ch, out var letter))
            {
                folded.Append(letter);
            }
            else if (CharUnicodeInfo.GetUnicodeCategory(ch) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark)
            {
                continue; // a combining accent or tone mark left after composition
            }
            else
            {
                folded.Append(char.ToLowerInvariant(ch) switch
                {
                    'ß' => "ss",
                    'æ' => "ae",
                    'œ' => "oe",
                    'ø' => "o",
                    'đ' or 'ð' => "d",
                    'ł' => "l",
                    'ı' => "i",
                    'þ' => "th",
                    var other => other.ToString(),
                });
            }
        }

        return folded.ToString();
    }

    /// <summary>
    /// Each Latin letter with diacritics (Latin-1, Latin Extended-A and -B, Latin Extended Additional: French, German,
    /// Polish, Turkish, Vietnamese, and pinyin's tone marks ā á ǎ à, ǖ ǘ ǚ ǜ) to its base letter in lower case, as Unicode
    /// decomposition gives it (generated from the Unicode data; 488 letters).
    /// </summary>
    private static readonly Dictionary<char, char> BaseLetters = BuildBaseLetters(
        "ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĨĩĪīĬĭĮįİĴĵĶķĹĺĻļĽľŃńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžƠơƯưǍǎǏǐǑǒǓǔǕǖǗǘǙǚǛǜǞǟǠǡǦǧǨǩǪǫǬǭǰǴǵǸǹǺǻȀȁȂȃȄȅȆȇȈȉȊȋȌȍȎȏȐȑȒȓȔȕȖȗȘșȚțȞȟȦȧȨȩȪȫȬȭȮȯȰȱȲȳḀḁḂḃḄḅḆḇḈḉḊḋḌḍḎḏḐḑḒḓḔḕḖḗḘḙḚḛḜḝḞḟḠḡḢḣḤḥḦḧḨḩḪḫḬḭḮḯḰḱḲḳḴḵḶḷḸḹḺḻḼḽḾḿṀṁṂṃṄṅṆṇṈṉṊṋṌṍṎṏṐṑṒṓṔṕṖṗṘṙṚṛṜṝṞṟṠṡṢṣṤṥṦṧṨṩṪṫṬṭṮṯṰṱṲṳṴṵṶṷṸṹṺṻṼṽṾṿẀẁẂẃẄẅẆẇẈẉẊẋẌẍẎẏẐẑẒẓẔẕẖẗẘẙẠạẢảẤấẦầẨẩẪẫẬậẮắẰằẲẳẴẵẶặẸẹẺẻẼẽẾếỀềỂểỄễỆệỈỉỊịỌọỎỏỐốỒồỔổỖỗỘộỚớỜờỞởỠỡỢợỤụỦủỨứỪừỬửỮữỰựỲỳỴỵỶỷỸỹ",
        "aaaaaaceeeeiiiinooooouuuuyaaaaaaceeeeiiiinooooouuuuyyaaaaaaccccccccddeeeeeeeeeegggggggghhiiiiiiiiijjkkllllllnnnnnnoooooorrrrrrssssssssttttuuuuuuuuuuuuwwyyyzzzzzzoouuaaiioouuuuuuuuuuaaaaggkkoooojggnnaaaaaaeeeeiiiioooorrrruuuusstthhaaeeooooooooyyaabbbbbbccddddddddddeeeeeeeeeeffgghhhhhhhhhhiiiikkkkkkllllllllmmmmmmnnnnnnnnoooooooopppprrrrrrrrssssssssssttttttttuuuuuuuuuuvvvvwwwwwwwwwwxxxxyyzzzzzzhtwyaaaaaaaaaaaaaaaaaaaaaaaaeeeeeeeeeeeeeeeeiiiioooooooooooooooooooooooouuuuuuuuuuuuuuyyyyyyyy");

    private static Dictionary<char, char> BuildBaseLetters(string accented, string bases)
    {
        var map = new Dictionary<char, char>(accented.Length);
        for (var i = 0; i < accented.Length; i++)
        {
            map[accented[i]] = bases[i];
        }

        return map;
    }

    /// <summary>Whether a character is Chinese, Japanese kana or Korean Hangul (a word of its own script).</summary>
    public static bool IsCjkChar(char ch) =>
        ch is (>= '\u3040' and <= '\u30FF') // Hiragana, Katakana
            or (>= '\u3400' and <= '\u4DBF') // CJK Extension A
            or (>= '\u4E00' and <= '\u9FFF') // CJK Unified Ideographs
            or (>= '\uAC00' and <= '\uD7AF') // Hangul syllables
            or (>= '\uF900' and <= '\uFAFF'); // CJK Compatibility Ideographs

    /// <summary>
    /// Pinyin written with tone numbers: "zhi4jun1" is zhijun and "xu2" is xu. Only a word made wholly of syllables that
    /// each hold a vowel and end in a tone number 1-5 is read so (M1, 9000S and H20 are left alone).
    /// </summary>
    private static string StripToneNumbers(string word)
    {
        if (word.Length < 2 || word[^1] is < '1' or > '5')
        {
            return word;
        }

        var result = new StringBuilder(word.Length);
        var syllableHasVowel = false;
        var syllableLength = 0;
        foreach (var ch in word)
        {
            if (ch is >= 'a' and <= 'z')
            {
                syllableHasVowel |= ch is 'a' or 'e' or 'i' or 'o' or 'u' or 'v';
                syllableLength++;
                result.Append(ch);
            }
            else if (ch is >= '1' and <= '5' && syllableLength > 0 && syllableHasVowel && syllableLength <= 6)
            {
                syllableHasVowel = false;
                syllableLength = 0;
            }
            else
            {
                return word;
            }
        }

        return syllableLength == 0 ? result.ToString() : word;
    }

    private static ulong LetterSet(string word)
    {
        ulong set = 0;
        foreach (var ch in word)
        {
            set |= 1UL << (ch % 64);
        }

        return set;
    }
}
