using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Timeline.Model.Search;
using Timeline.Model.Store.Engine;
using Timeline.Model.Text;

namespace Timeline.Api.Tests;

/// <summary>
/// Both engines must cut and fold words as SQLite's FTS5 tokenizer <c>unicode61 remove_diacritics 2</c> does, or a search
/// finds other events on PostgreSQL (a differential sweep found <c>q=İstanbul</c>, <c>q=ſmic</c> and 85 combining marks
/// answering differently). These tests ask the SQLite shipped with the API about every code point, by indexing
/// "q" + the character + "q" and reading back the words FTS5 made of it, and hold <see cref="Unicode61"/> and
/// <see cref="SearchText"/> to the answers.
/// </summary>
public class Unicode61FoldTests
{
    private static readonly Lazy<(List<(int First, int Last)> Runs, List<(int From, int To)> Folds)> Sqlite = new(AskSqlite);

    private static string TablePath => Path.Combine(RepositoryFiles.Root, "src", "Timeline.Model", "Text", "Unicode61.Table.cs");

    [Fact]
    public void The_table_is_the_one_the_shipped_SQLite_gives()
    {
        var (runs, folds) = Sqlite.Value;
        var generated = Generate(runs, folds);
        if (File.ReadAllText(TablePath) != generated)
        {
            var written = Path.Combine(RepositoryFiles.Root, "artifacts", "unicode61", "Unicode61.Table.cs");
            Directory.CreateDirectory(Path.GetDirectoryName(written)!);
            File.WriteAllText(written, generated);
            Assert.Fail($"SQLite's unicode61 tokenizer answers otherwise than src/Timeline.Model/Text/Unicode61.Table.cs (a new SQLite?): the table it gives is in {written}; copy it over the old one, give PostgresSearchIndex.Fold a new number (stores built with the old table then rebuild their search rows at upgrade) and pin it below.");
        }
    }

    [Fact]
    public void A_new_table_comes_with_a_new_folding_number()
    {
        // The PostgreSQL stores record the folding their search rows were built with (PostgresSearchIndex.Fold) and are
        // rebuilt at upgrade when it changes: a new table without a new number would leave them folded the old way.
        var table = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(TablePath)))[..16];
        Assert.Equal((1, "a70e60a2e3072aad"), (Timeline.Store.Postgres.PostgresSearchIndex.Fold, table));
    }

    [Fact]
    public void Every_code_point_is_a_word_character_and_folds_as_SQLite_says()
    {
        var (runs, folds) = Sqlite.Value;
        var folded = folds.ToDictionary(f => f.From, f => f.To);
        var token = new HashSet<int>(runs.SelectMany(r => Enumerable.Range(r.First, r.Last - r.First + 1)));
        var wrong = new List<string>();
        foreach (var cp in CodePoints())
        {
            var isToken = token.Contains(cp);
            if (Unicode61.IsTokenChar(cp) != isToken)
            {
                wrong.Add($"U+{cp:X4} {(isToken ? "is" : "is not")} a word character");
            }
            else if (isToken && Unicode61.Fold(cp) != folded.GetValueOrDefault(cp, cp))
            {
                wrong.Add($"U+{cp:X4} folds to U+{folded.GetValueOrDefault(cp, cp):X4}, not U+{Unicode61.Fold(cp):X4}");
            }
        }

        Assert.True(wrong.Count == 0, $"{wrong.Count} code points: {string.Join("; ", wrong.Take(20))}");
    }

    // Latin letters' accents: SearchBudgetFoldTests.
    [Theory]
    [InlineData("İstanbul", "istanbul")]
    [InlineData("HUAWEİ", "huawei")]
    [InlineData("ſmic", "smic")]
    [InlineData("5µm", "5μm")]
    [InlineData("Сергей", "сергей")]
    [InlineData("ΟΔΌΣ", "οδόσ")]
    [InlineData("x²", "x²")]
    public void A_word_folds_as_the_index_folds_it(string word, string folded) =>
        Assert.Equal(folded, SearchText.Fold(word));

    [Fact]
    public void Every_CJK_character_is_a_word_of_its_own_or_none_as_the_SQLite_index_makes_it()
    {
        // The SQLite engine indexes CJK text spread out (CjkText.Spread), each character alone; FTS5 then makes a word
        // of each one it counts as a word character, and nothing of the others (・ in ドナルド・トランプ, the voicing marks).
        var texts = CodePoints().Where(CjkText.IsCjk).ToDictionary(c => c, Probe);
        var sqlite = Fts5Words(texts.Select(t => (t.Key, CjkText.Spread(t.Value)!)));
        var wrong = texts.Where(t => Joined(sqlite.GetValueOrDefault(t.Key)) != Joined(SearchText.Tokens(t.Value).Select(w => w.Folded)))
            .Select(t => $"U+{t.Key:X4}: SQLite {Joined(sqlite.GetValueOrDefault(t.Key))}, SearchText {Joined(SearchText.Tokens(t.Value).Select(w => w.Folded))}")
            .ToList();
        Assert.True(wrong.Count == 0, $"{wrong.Count} CJK code points of {texts.Count}: {string.Join("; ", wrong.Take(10))}");
    }

    [Theory]
    [InlineData("ドナルド・トランプ", "ド|ナ|ル|ド|ト|ラ|ン|プ")]
    [InlineData("か\u3099", "か")]
    [InlineData("s\u0336m\u0336i\u0336c\u0336", "s|m|i|c")]
    [InlineData("x² ½ kirin-9000s", "x²|½|kirin|9000s")]
    [InlineData("q\uE000q", "q\uE000q")]
    [InlineData("Mate 60 (华为)", "mate|60|华|为")]
    public void Text_is_cut_into_the_words_FTS5_makes_of_it(string text, string words) =>
        Assert.Equal(words, string.Join('|', SearchText.Tokens(text).Select(t => t.Folded)));

    [Fact]
    public void A_search_is_cut_into_the_same_words()
    {
        // The search side: "x²" is one word for FTS5, so the search must not look for "x" alone; "s̶m̶i̶c̶" is four.
        Assert.Equal(["x²"], Terms("x²"));
        Assert.Equal(["s", "m", "i", "c"], Terms("s\u0336m\u0336i\u0336c\u0336"));
    }

    private static List<string> Terms(string q)
    {
        Assert.True(SearchQuery.TryParse(q, out var expression, out var error), error);
        return [.. SearchText.Shown(expression).SelectMany(t => t.Words).Select(SearchText.Fold)];
    }

    private static IEnumerable<int> CodePoints() =>
        Enumerable.Range(0, 0x110000).Where(cp => cp is < 0xD800 or > 0xDFFF);

    /// <summary>A code point between two q's: what FTS5 makes of it says whether it is a word character, and its folding.</summary>
    private static string Probe(int codePoint) => "q" + char.ConvertFromUtf32(codePoint) + "q";

    private static string Joined(IEnumerable<string>? words) => string.Join('|', words ?? []);

    /// <summary>The words SQLite's FTS5 (unicode61 remove_diacritics 2) makes of each text, in order, by the text's key.</summary>
    private static Dictionary<int, List<string>> Fts5Words(IEnumerable<(int Key, string Text)> texts)
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        using (var create = connection.CreateCommand())
        {
            create.CommandText =
                "CREATE VIRTUAL TABLE t USING fts5(x, tokenize = 'unicode61 remove_diacritics 2'); CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance');";
            create.ExecuteNonQuery();
        }

        using (var transaction = connection.BeginTransaction())
        {
            using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO t (rowid, x) VALUES ($key, $text);";
            var key = insert.Parameters.Add("$key", SqliteType.Integer);
            var text = insert.Parameters.Add("$text", SqliteType.Text);
            foreach (var (k, t) in texts)
            {
                key.Value = k;
                text.Value = t;
                insert.ExecuteNonQuery();
            }

            transaction.Commit();
        }

        var words = new Dictionary<int, List<string>>();
        using var read = connection.CreateCommand();
        read.CommandText = "SELECT doc, term FROM v ORDER BY doc, offset;";
        using var reader = read.ExecuteReader();
        while (reader.Read())
        {
            var doc = (int)reader.GetInt64(0);
            if (!words.TryGetValue(doc, out var list))
            {
                words[doc] = list = [];
            }

            list.Add(reader.GetString(1));
        }

        return words;
    }

    private static (List<(int First, int Last)> Runs, List<(int From, int To)> Folds) AskSqlite()
    {
        var words = Fts5Words(CodePoints().Select(c => (c, Probe(c))));

        // One word "q?q": a word character, folded to what stands between the q's (nothing: dropped); two words "q": not one.
        var runs = new List<(int, int)>();
        var folds = new List<(int, int)>();
        int? first = null;
        var previous = -2;
        foreach (var c in CodePoints())
        {
            var made = words.GetValueOrDefault(c) ?? [];
            if (made is [var word] && word.Length >= 2 && word[0] == 'q' && word[^1] == 'q')
            {
                var middle = word[1..^1].EnumerateRunes().Select(r => r.Value).ToList();
                Assert.True(middle.Count <= 1, $"U+{c:X4} folds to {middle.Count} code points");
                var to = middle.Count == 0 ? 0 : middle[0];
                if (to != c)
                {
                    folds.Add((c, to));
                }

                if (first is not null && previous != c - 1)
                {
                    runs.Add((first.Value, previous));
                    first = null;
                }

                first ??= c;
                previous = c;
            }
            else
            {
                Assert.True(made is ["q", "q"], $"U+{c:X4} made the words {string.Join('|', made)}");
                if (first is not null)
                {
                    runs.Add((first.Value, previous));
                    first = null;
                }
            }
        }

        if (first is not null)
        {
            runs.Add((first.Value, previous));
        }

        return (runs, folds);
    }

    private static string Generate(List<(int First, int Last)> runs, List<(int From, int To)> folds)
    {
        static string Hex(int value) => "0x" + value.ToString("X", CultureInfo.InvariantCulture);
        static string Lines(IEnumerable<string> values)
        {
            var text = new StringBuilder();
            var line = new StringBuilder("        ");
            foreach (var value in values)
            {
                if (line.Length + value.Length + 2 > 120)
                {
                    text.Append(line.ToString().TrimEnd()).Append('\n');
                    line.Clear().Append("        ");
                }

                line.Append(value).Append(", ");
            }

            return text.Append(line.ToString().TrimEnd()).Append('\n').ToString();
        }

        return
            "// Generated by tests/Timeline.Api.Tests/Unicode61FoldTests.cs from SQLite's FTS5 tokenizer \"unicode61 remove_diacritics 2\":\n"
            + "// do not edit by hand (that test writes a new one when SQLite answers otherwise).\n"
            + "namespace Timeline.Model.Text;\n\n"
            + "public static partial class Unicode61\n{\n"
            + $"    /// <summary>The first and last code point of each run of word characters outside ASCII, ascending ({runs.Count(r => r.Last >= 0x80)} runs).</summary>\n"
            + "    private static ReadOnlySpan<int> TokenRuns =>\n    [\n"
            + Lines(runs.Where(r => r.Last >= 0x80).SelectMany(r => new[] { Hex(Math.Max(r.First, 0x80)), Hex(r.Last) }))
            + "    ];\n\n"
            + $"    /// <summary>The word characters outside ASCII that fold to another code point, ascending ({folds.Count(f => f.From >= 0x80)}).</summary>\n"
            + "    private static ReadOnlySpan<int> FoldedFrom =>\n    [\n"
            + Lines(folds.Where(f => f.From >= 0x80).Select(f => Hex(f.From)))
            + "    ];\n\n"
            + "    /// <summary>What each of <see cref=\"FoldedFrom\"/> folds to (0: dropped, a diacritic).</summary>\n"
            + "    private static ReadOnlySpan<int> FoldedTo =>\n    [\n"
            + Lines(folds.Where(f => f.From >= 0x80).Select(f => Hex(f.To)))
            + "    ];\n}\n";
    }
}
