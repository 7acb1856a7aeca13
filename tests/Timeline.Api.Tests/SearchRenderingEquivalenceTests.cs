using System.Security.Cryptography;
using System.Text;

namespace Timeline.Api.Tests;

/// <summary>
/// The parsed search rendered for FTS5 is, byte for byte, the MATCH text the parser wrote before searches became
/// expressions (<see cref="LegacySearchQuery"/>), with the same refusals; its canonical text is that text too, so the
/// cursor fingerprint is unchanged; and the search budget reads the same groups from the tree as it read from the text.
/// </summary>
public sealed class SearchRenderingEquivalenceTests
{
    private static readonly string[] Fragments =
    [
        "huawei", "smic", "Kirin-9000S", "kirin", "9000s", "tsmc", "ASML", "chip", "sanc", "sanction", "entity list",
        "AND", "OR", "NOT", "and", "or", "not", "NEAR", "NEAR(a b)", "title:", "summary:huawei", "^start", "+plus", "-minus",
        "*", "**", "sa*", "san*", "sanc*", "ab*", "9*", "900*", "\"", "\"quoted phrase\"", "\"phrase*\"*", "\"a b\"*", "\"",
        "(", ")", "(smic OR tsmc)", "{", "}", "[", "]", ":", ";", ",", ".", "'", "`", "\\", "/", "—", "–",
        "Café", "café", "naïve", "Zürich", "e\u0301", "\u0301", "日本", "中芯国际", "🙂", "x🙂y", "Ωmega", "İstanbul",
        "\t", "\n", "\r\n", "\u00a0", "\u2003", "\u0000", "\u0007", "  ", "", "A", "I", "42", "7nm", "5G", "3nm*", "ab", "abc*",
    ];

    private static IEnumerable<string> Queries()
    {
        string[] fixedQueries =
        [
            "huawei", "huawei smic", "smic OR tsmc", "huawei NOT mate", "huawei NOT mate NOT pura", "a AND OR b", "OR a", "a OR",
            "NOT a", "a NOT", "a OR NOT b", "a NOT OR b", "a b OR c d NOT e", "\"kirin 9000s\"", "Kirin-9000S", "sanc*", "\"export control\"*",
            "sa*", "\"a b\"*", "((a))", "a AND (b OR c)", "\"unterminated", "\"\"", "\"   \"", "*", "*sanc", "x*y", "AND", "OR OR OR",
            "title:huawei", "NEAR(huawei smic)", "^huawei", "huawei^", "a\"b\"c", "\"a\"\"b\"", "café OR cafe", "e\u0301t\u00e9*",
            string.Join(' ', Enumerable.Range(0, 16).Select(i => $"w{i}")), string.Join(' ', Enumerable.Range(0, 17).Select(i => $"w{i}")),
            string.Join(" OR ", Enumerable.Range(0, 5).Select(i => $"pre{i}*")), new string('a', 500), new string('a', 501), "   ", "\t\n",
        ];
        foreach (var query in fixedQueries)
        {
            yield return query;
        }

        var random = new Random(14);
        for (var n = 0; n < 20_000; n++)
        {
            var text = new StringBuilder();
            var count = random.Next(1, 12);
            for (var i = 0; i < count; i++)
            {
                text.Append(Fragments[random.Next(Fragments.Length)]);
                if (random.Next(4) != 0)
                {
                    text.Append(random.Next(8) == 0 ? "" : " ");
                }
            }

            yield return text.ToString();
        }
    }

    [Fact]
    public void Renders_every_query_as_the_old_parser_wrote_it()
    {
        var parsed = 0;
        foreach (var query in Queries())
        {
            var oldOk = LegacySearchQuery.TryParse(query, out var oldMatch, out var oldError);
            var newOk = SearchQuery.TryParse(query, out var expression, out var newError);
            Assert.True(oldOk == newOk, $"'{query}': parsed {oldOk} before, {newOk} now");
            Assert.Equal(oldError, newError);
            if (!newOk)
            {
                continue;
            }

            parsed++;
            Assert.Equal(oldMatch, Fts5Match.Render(expression!));
            Assert.Equal(oldMatch, expression!.Canonical);
            Assert.Equal(LegacyFingerprint(oldMatch), Filter(expression).Fingerprint());
            Assert.Equal(Describe(LegacySearchQuery.Read(oldMatch)), Describe(Groups(expression)));

            // The canonical text is a query that parses back to the same search (when it is within the length bound).
            if (expression.Canonical.Length > SearchQuery.MaxLength)
            {
                continue;
            }

            Assert.True(SearchQuery.TryParse(expression.Canonical, out var again, out var againError), $"{query} -> {expression.Canonical}: {againError}");
            Assert.Equal(expression.Canonical, again!.Canonical);
        }

        Assert.True(parsed > 5_000, $"only {parsed} of the queries could be searched");
    }

    private static EventFilter Filter(SearchExpression? search) =>
        new(null, PartialDate.Parse("2024"), ["sanction"], ["huawei"], [], null, search, EventOrder.Relevance, 20, null);

    /// <summary>EventFilter.Fingerprint as it was, over the MATCH text.</summary>
    private static string LegacyFingerprint(string match)
    {
        var filter = Filter(null);
        var canonical = string.Join(
            '\u001f',
            filter.From?.ToString(),
            filter.To?.ToString(),
            string.Join(',', filter.Categories),
            string.Join(',', filter.Entities),
            string.Join(',', filter.Tags),
            filter.Source,
            match,
            filter.Order.ToString(),
            filter.ScopeEntity,
            filter.ScopeSource);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)).AsSpan(0, 8));
    }

    /// <summary>The groups the search budget reads, from the tree: OR-ed groups of AND-ed items, each a term and the terms after its NOTs.</summary>
    private static List<List<(SearchTerm Kept, List<SearchTerm> Excluded)>> Groups(SearchExpression expression) =>
        (expression is SearchAny any ? any.Operands : [expression])
            .Select(g => (g is SearchAll all ? all.Operands : [g])
                .Select(i => i is SearchExcept except ? ((SearchTerm)except.Kept, except.Excluded.Cast<SearchTerm>().ToList()) : ((SearchTerm)i, []))
                .ToList())
            .ToList();

    private static string Describe(List<List<(SearchTerm Kept, List<SearchTerm> Excluded)>> groups) =>
        string.Join(" | ", groups.Select(g => string.Join(" & ", g.Select(i => Term(i.Kept.Words, i.Kept.Prefix) + string.Concat(i.Excluded.Select(e => " -" + Term(e.Words, e.Prefix)))))));

    private static string Describe(IReadOnlyList<IReadOnlyList<(LegacySearchQuery.Term Kept, IReadOnlyList<LegacySearchQuery.Term> Excluded)>> groups) =>
        string.Join(" | ", groups.Select(g => string.Join(" & ", g.Select(i => Term(i.Kept.Words, i.Kept.Prefix) + string.Concat(i.Excluded.Select(e => " -" + Term(e.Words, e.Prefix)))))));

    private static string Term(IReadOnlyList<string> words, bool prefix) => $"[{string.Join('/', words)}{(prefix ? "*" : "")}]";
}
