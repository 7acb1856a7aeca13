namespace Timeline.Api.Tests;

/// <summary>
/// The parsed search and its FTS5 rendering, pinned: the renderings are the MATCH texts the parser wrote before searches
/// became expressions (compared over 20,000 queries when the change was made), and the cursor fingerprint is the one
/// cursors issued before were tied to.
/// </summary>
public sealed class SearchExpressionTests
{
    [Theory]
    [InlineData("huawei", "\"huawei\"")]
    [InlineData("Huawei SMIC", "\"Huawei\" AND \"SMIC\"")]
    [InlineData("smic OR tsmc", "\"smic\" OR \"tsmc\"")]
    [InlineData("huawei NOT mate NOT pura", "\"huawei\" NOT \"mate\" NOT \"pura\"")]
    [InlineData("a AND OR b", "\"a\" OR \"b\"")]
    [InlineData("OR huawei", "\"huawei\"")]
    [InlineData("huawei OR", "\"huawei\"")]
    [InlineData("Kirin-9000S", "\"Kirin 9000S\"")]
    [InlineData("\"kirin 9000s\"", "\"kirin 9000s\"")]
    [InlineData("\"export control\"*", "\"export control\"*")]
    [InlineData("sanc* OR chip*", "\"sanc\"* OR \"chip\"*")]
    [InlineData("a b OR c d NOT e", "\"a\" AND \"b\" OR \"c\" AND \"d\" NOT \"e\"")]
    [InlineData("title:huawei NEAR(a b) ^x +y", "\"title huawei\" AND \"NEAR\" AND \"a\" AND \"b\" AND \"x\" AND \"y\"")]
    [InlineData("café OR cafe", "\"café\" OR \"cafe\"")]
    [InlineData("huawei AND (smic OR tsmc)", "\"huawei\" AND \"smic\" OR \"tsmc\"")]
    [InlineData("\"unterminated phrase", "\"unterminated phrase\"")]
    [InlineData("x\"y\"z", "\"x\" AND \"y\" AND \"z\"")]
    [InlineData("a NOT b c OR d NOT e NOT f g", "\"a\" NOT \"b\" AND \"c\" OR \"d\" NOT \"e\" NOT \"f\" AND \"g\"")]
    public void Renders_for_fts5_as_before(string query, string match)
    {
        Assert.True(SearchQuery.TryParse(query, out var expression, out var error), error);
        Assert.Equal(match, Fts5Match.Render(expression));
        Assert.Equal(match, expression.Canonical);
    }

    [Fact]
    public void Parses_by_the_precedence_of_not_over_and_over_or()
    {
        Assert.True(SearchQuery.TryParse("a NOT b c OR \"d eff\"*", out var expression, out _));
        var any = Assert.IsType<SearchAny>(expression);
        Assert.Equal(2, any.Operands.Count);
        var all = Assert.IsType<SearchAll>(any.Operands[0]);
        var except = Assert.IsType<SearchExcept>(all.Operands[0]);
        Assert.Equal(["a"], Assert.IsType<SearchTerm>(except.Kept).Words);
        Assert.Equal(["b"], Assert.IsType<SearchTerm>(Assert.Single(except.Excluded)).Words);
        Assert.Equal(["c"], Assert.IsType<SearchTerm>(all.Operands[1]).Words);
        var phrase = Assert.IsType<SearchTerm>(any.Operands[1]);
        Assert.Equal(["d", "eff"], phrase.Words);
        Assert.True(phrase.Prefix);
        Assert.True(phrase.IsPhrase);
        Assert.Equal(["a", "b", "c", "d"], expression.Terms.Select(t => t.Words[0]));
    }

    [Fact]
    public void Brackets_what_the_parser_never_builds()
    {
        var a = new SearchTerm(["a"], false);
        var b = new SearchTerm(["b"], true);
        var c = new SearchTerm(["c", "d"], false);
        var nested = new SearchAll([a, new SearchAny([b, c])]);
        Assert.Equal("\"a\" AND (\"b\"* OR \"c d\")", Fts5Match.Render(nested));
        Assert.Equal("\"a\" AND (\"b\"* OR \"c d\")", nested.Canonical);
        Assert.Equal("(\"a\" AND \"b\"*) NOT \"c d\"", Fts5Match.Render(new SearchExcept(new SearchAll([a, b]), [c])));
    }

    [Theory]
    [InlineData("", "the search text is empty")]
    [InlineData("NOT huawei", "NOT must stand between two terms, as in: huawei NOT smic")]
    [InlineData("sa*", "a prefix needs at least 3 letters or digits before its * ('sa*' has 2): a shorter one stands for too many words to search")]
    [InlineData("a* bcd* cde* def* efg*", "a prefix needs at least 3 letters or digits before its * ('a*' has 1): a shorter one stands for too many words to search")]
    [InlineData("abc* bcd* cde* def* efg*", "the search text has 5 prefixes (word*); at most 4 may be searched at once")]
    [InlineData("( ) * --", "the search text has no words to search for (letters or digits)")]
    public void Refuses_as_before(string query, string message)
    {
        Assert.False(SearchQuery.TryParse(query, out var expression, out var error));
        Assert.Null(expression);
        Assert.Equal(message, error);
    }

    [Fact]
    public void Keeps_the_cursor_fingerprint_of_the_match_text()
    {
        // The digests EventFilter.Fingerprint gave for this filter when it carried the MATCH text
        // "Kirin 9000S" OR "sanc"* NOT "huawei" (and without a search): a cursor issued then is still accepted.
        Assert.True(SearchQuery.TryParse("Kirin-9000S OR sanc* NOT huawei", out var search, out _));
        var filter = new EventFilter(
            PartialDate.Parse("2019-05"), PartialDate.Parse("2024"), ["sanction"], ["huawei"], ["chips"], "bis-2019", search, EventOrder.Relevance, 20, null);
        Assert.Equal("3a2df0295ac25f1e", filter.Fingerprint());
        Assert.Equal("93c3021e9dde653b", (filter with { Search = null }).Fingerprint());

        // The same search typed differently is the same cursor's search.
        Assert.True(SearchQuery.TryParse("  Kirin 9000S  OR AND  \"sanc\"*  NOT huawei ", out var respelled, out _));
        Assert.NotEqual(filter.Fingerprint(), (filter with { Search = respelled }).Fingerprint());
        Assert.True(SearchQuery.TryParse("\"Kirin 9000S\" OR sanc* NOT (huawei)", out var same, out _));
        Assert.Equal(filter.Fingerprint(), (filter with { Search = same }).Fingerprint());
    }
}
