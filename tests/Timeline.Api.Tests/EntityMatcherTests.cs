using Timeline.Model.Entities;
using Timeline.Model.Vocabulary;

namespace Timeline.Api.Tests;

/// <summary>The entity matcher (Timeline.Model/Entities/EntityMatcher.cs) alone: how it folds, scores and explains names.</summary>
public class EntityMatcherTests
{
    /// <summary>A few entities as the curated dataset has them, Chinese aliases included.</summary>
    private static readonly EntityMatcher Seeded = new(
    [
        new("huawei", "Huawei", "company", "CN", ["华为", "Huawei Technologies", "华为技术有限公司"]),
        new("huawei-connect", "Huawei Connect", "event-series", null, []),
        new("smic", "Semiconductor Manufacturing International Corporation", "company", "CN", ["SMIC", "中芯国际", "中芯国际集成电路制造有限公司"]),
        new("tsmc", "Taiwan Semiconductor Manufacturing Company", "company", "TW", ["TSMC"]),
        new("us-government", "United States government", "government", "US", ["US", "United States", "America", "Washington"]),
        new("xu-zhijun", "Xu Zhijun", "person", "CN", ["Eric Xu", "徐直军"]),
        new("kirin-9000s", "Kirin 9000S", "chip", "CN", ["Charlotte", "Kirin-9000S", "麒麟9000S"]),
        new("kirin", "Kirin", "chip", "CN", ["Kirin series", "麒麟"]),
        new("bis", "Bureau of Industry and Security", "agency", "US", ["BIS"]),
        new("qualcomm", "Qualcomm", "company", "US", []),
    ]);

    [Theory]
    [InlineData("Xu Zhijun", "exact", 1.0)]
    [InlineData("xu zhijun", "exact", 1.0)]
    [InlineData("Xú Zhìjūn", "exact", 1.0)] // pinyin with tone marks
    [InlineData("Xǔ Zhǐjūn", "exact", 1.0)]
    [InlineData("xu2 zhi4jun1", "exact", 1.0)] // pinyin with tone numbers
    [InlineData("XuZhijun", "spacing", 0.97)]
    [InlineData("Xu-Zhijun", "exact", 1.0)]
    [InlineData("Zhijun Xu", "word-order", 0.95)]
    [InlineData("ZHIJUN, XU", "word-order", 0.95)]
    public void Pinyin_names_match_in_any_order_with_or_without_tones_and_spaces(string query, string feature, double score)
    {
        var (found, got) = Best(query);

        Assert.Equal("xu-zhijun", found.Entity.Id);
        Assert.Equal(score, got, 3);
        Assert.Equal(feature, found.Reasons[0].Feature);
    }

    [Fact]
    public void Pinyin_syllables_spelt_apart_still_cover_the_name()
    {
        var (found, score) = Best("Zhi Jun Xu");

        Assert.Equal("xu-zhijun", found.Entity.Id);
        Assert.True(score >= EntityMatcher.MatchThreshold, $"{score}");
        Assert.Contains(found.Reasons, r => r.Feature == "spacing");
    }

    [Fact]
    public void Initials_match_the_full_name_and_the_full_name_matches_initials()
    {
        var (score, reasons) = EntityMatcher.Score("SMIC", "Semiconductor Manufacturing International Corporation");
        Assert.Equal(0.9, score, 3);
        Assert.Equal("initials", reasons[0].Feature);

        var (back, backReasons) = EntityMatcher.Score("Taiwan Semiconductor Manufacturing Company", "TSMC");
        Assert.Equal(0.9, back, 3);
        Assert.Equal("initials", backReasons[0].Feature);

        // Particles are not initials: Bureau of Industry and Security is BIS.
        Assert.Equal(0.9, EntityMatcher.Score("BIS", "Bureau of Industry and Security").Score, 3);
    }

    [Fact]
    public void Chinese_forms_match_whole_and_in_part()
    {
        var huawei = Seeded.Match("华为", null, EntityMatcher.Cutoff, 5);
        Assert.Equal("huawei", huawei[0].Entity.Id);
        Assert.Equal(1.0, huawei[0].Score);
        Assert.Equal("alias", huawei[0].MatchedField);
        Assert.Equal("华为", huawei[0].MatchedName);

        var smic = Seeded.Match("中芯", null, EntityMatcher.Cutoff, 5);
        Assert.Equal("smic", smic[0].Entity.Id);
        Assert.Equal("characters", smic[0].Reasons[0].Feature);
        Assert.Equal("中芯国际", smic[0].MatchedName);

        var person = Seeded.Match("徐直军", null, EntityMatcher.Cutoff, 5);
        Assert.Equal("xu-zhijun", person[0].Entity.Id);

        // Chinese characters and Latin letters run together are two words: 麒麟 9000S is 麒麟9000S.
        Assert.Equal("kirin-9000s", Seeded.Match("麒麟 9000S", null, EntityMatcher.Cutoff, 5)[0].Entity.Id);
    }

    [Theory]
    [InlineData("Ｈｕａｗｅｉ", "huawei")] // full-width letters
    [InlineData("HUAWEI", "huawei")]
    [InlineData("Huawei Technologies Co., Ltd.", "huawei")] // legal forms count little
    [InlineData("Huawey", "huawei")] // misspelt
    [InlineData("Huaw", "huawei")] // typed in part
    [InlineData("Kirin9000S", "kirin-9000s")]
    [InlineData("Bureau of Industry & Security", "bis")]
    [InlineData("Semiconductor Manufacturing International", "smic")]
    public void Variant_spellings_find_the_entity_first(string query, string expected)
    {
        Assert.Equal(expected, Best(query).Match.Entity.Id);
    }

    [Fact]
    public void Legal_forms_do_not_keep_a_company_from_matching()
    {
        var (score, _) = EntityMatcher.Score("Huawei Technologies Co., Ltd.", "Huawei Technologies");

        Assert.True(score >= EntityMatcher.MatchThreshold, $"{score}");
    }

    [Fact]
    public void A_legal_form_written_out_or_abbreviated_is_the_same_word()
    {
        var (score, reasons) = EntityMatcher.Score("Semiconductor Manufacturing International Corp.", "Semiconductor Manufacturing International Corporation");

        Assert.Equal(1.0, score, 3);
        Assert.Equal("exact", reasons[0].Feature);
    }

    [Fact]
    public void A_misspelt_name_is_explained_as_similar_words_and_scores_below_the_exact_name()
    {
        var matches = Seeded.Match("Huawey", null, EntityMatcher.Cutoff, 5);

        Assert.Equal("huawei", matches[0].Entity.Id);
        Assert.Equal("similar-words", matches[0].Reasons[0].Feature);
        Assert.InRange(matches[0].Score, 0.7, 0.9);
        Assert.Equal(["huawei", "huawei-connect"], matches.Select(m => m.Entity.Id));
    }

    [Fact]
    public void A_word_of_a_person_ranks_the_person_before_a_name_that_merely_contains_it()
    {
        // "eric" is inside "America" (an alias of the US government): a part of a word is the weakest evidence.
        var ranked = Seeded.Match("eric", null, EntityMatcher.Cutoff, int.MaxValue, alwaysContains: true);

        Assert.Equal("xu-zhijun", ranked[0].Entity.Id);
        Assert.Equal("Eric Xu", ranked[0].MatchedName);
        var america = ranked.Single(m => m.Entity.Id == "us-government");
        Assert.Equal("contains", america.Reasons[0].Feature);
        Assert.True(america.Score < ranked[0].Score);

        // Without alwaysContains, a part of a word is no match at all.
        Assert.DoesNotContain(Seeded.Match("eric", null, EntityMatcher.Cutoff, 10), m => m.Entity.Id == "us-government");
    }

    [Fact]
    public void Unrelated_names_score_nothing_and_are_not_answered()
    {
        Assert.Equal(0, EntityMatcher.Score("Qualcomm", "Huawei").Score);
        Assert.Empty(Seeded.Match("Gazprom Neft", null, EntityMatcher.Cutoff, 10));
        Assert.Empty(Seeded.Match("!!!", null, EntityMatcher.Cutoff, 10));
    }

    [Fact]
    public void The_kind_filter_keeps_only_that_kind()
    {
        var chips = Seeded.Match("Kirin", "chip", EntityMatcher.Cutoff, 10);
        Assert.Equal(["kirin", "kirin-9000s"], chips.Select(m => m.Entity.Id));
        Assert.Empty(Seeded.Match("Kirin", "person", EntityMatcher.Cutoff, 10));
    }

    [Theory]
    [InlineData("smc", "smic")]
    [InlineData("SMIC", "smic")]
    [InlineData("huwei", "huawei")]
    [InlineData("eric-xu", "xu-zhijun")]
    [InlineData("zhijun-xu", "xu-zhijun")]
    [InlineData("kirin9000s", "kirin-9000s")]
    public void An_unknown_id_is_answered_with_the_nearest_ids(string unknown, string expected)
    {
        var suggestions = Seeded.Suggest(unknown);

        Assert.Equal(expected, suggestions[0].Entity.Id);
        Assert.Contains($"'{expected}'", Seeded.DidYouMean(unknown), StringComparison.Ordinal);
    }

    [Fact]
    public void An_id_near_nothing_suggests_nothing()
    {
        Assert.Empty(Seeded.Suggest("initech"));
        Assert.Equal(string.Empty, Seeded.DidYouMean("initech"));
    }

    [Theory]
    [InlineData("supplyer", "supplier")]
    [InlineData("Supplier", "supplier")]
    [InlineData("investr", "investor")]
    public void A_misspelt_role_is_answered_with_the_nearest_role(string value, string expected)
    {
        Assert.Equal(expected, EntityMatcher.NearestTerm(Vocabularies.Roles, value)?.Id);
    }

    [Fact]
    public void A_value_near_no_term_has_no_nearest()
    {
        Assert.Null(EntityMatcher.NearestTerm(Vocabularies.Roles, "banana"));
        Assert.Equal("company", EntityMatcher.NearestTerm(Vocabularies.EntityKinds, "compnay")?.Id);
    }

    [Theory]
    [InlineData("Xú Zhìjūn", "xu zhijun")]
    [InlineData("Ｓｍｉｃ", "smic")]
    [InlineData("O'Brien & Søn", "obrien son")]
    [InlineData("Straße", "strasse")]
    [InlineData("华为技术有限公司", "华为技术有限公司")]
    [InlineData("麒麟9000S", "麒麟 9000s")]
    [InlineData("zhi4jun1 M1 H20 Kirin 9000S", "zhijun m1 h20 kirin 9000s")]
    public void Names_are_folded_into_words(string text, string words)
    {
        Assert.Equal(words, string.Join(' ', NameText.Of(text).Words));
    }

    [Fact]
    public void Jaro_Winkler_gives_the_textbook_values()
    {
        Assert.Equal(0.961, EntityMatcher.JaroWinkler("martha", "marhta"), 3);
        Assert.Equal(0.840, EntityMatcher.JaroWinkler("dwayne", "duane"), 3);
        Assert.Equal(1.0, EntityMatcher.JaroWinkler("smic", "smic"), 3);
        Assert.Equal(0, EntityMatcher.JaroWinkler("abc", "xyz"));
    }

    [Fact]
    public void The_kinds_are_counted()
    {
        var counts = Seeded.CountByKind();

        Assert.Equal(4, counts["company"]);
        Assert.Equal(2, counts["chip"]);
        Assert.Equal(10, Seeded.Count);
    }

    private static (EntityMatch Match, double Score) Best(string query)
    {
        var matches = Seeded.Match(query, null, EntityMatcher.Cutoff, 5);
        Assert.True(matches.Count > 0, $"nothing matches '{query}'");
        return (matches[0], matches[0].Score);
    }
}
