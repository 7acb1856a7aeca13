using Timeline.Model.Dataset;
using Timeline.Model.Text;

namespace Timeline.Api.Tests;

/// <summary>
/// The passage finder (Timeline.Model/Text/PassageFinder.cs) and the quote refusals built on it, without HTTP: the
/// phrase as a curator remembers or pasted it against a text that writes it otherwise.
/// </summary>
public class PassageFinderTests
{
    // A law-firm alert's style: curly quotes, an em dash, a double space, a composed "café", a sentence said twice.
    private const string Alert =
        "On December 18, 2020, BIS added Semiconductor Manufacturing International Corporation Incorporated (SMIC)  to the Entity List. " +
        "The rule’s “presumption of denial” applies—as the café owner said—to items for advanced nodes.\n" +
        "SMIC said: “We will comply.” Analysts doubted it. Later, SMIC said: “We will comply.” again.";

    private static string Slice(string text, Passage passage)
    {
        // Offsets are code points: walk the text by runes to slice it, as a client in any language would.
        var runes = text.EnumerateRunes().ToArray();
        return string.Concat(runes[(int)passage.StartOffset..(int)passage.EndOffset].Select(r => r.ToString()));
    }

    private static Passage Best(string text, string phrase)
    {
        var passages = PassageFinder.Find(text, phrase, 5);
        Assert.NotEmpty(passages);
        Assert.Equal(passages[0].Text, Slice(text, passages[0]));
        return passages[0];
    }

    [Fact]
    public void A_phrase_copied_exactly_is_verbatim_with_score_1()
    {
        var passage = Best(Alert, "Analysts doubted it.");
        Assert.Equal(("Analysts doubted it.", "verbatim", 1.0), (passage.Text, passage.Match, passage.Score));
    }

    [Fact]
    public void Straight_quotes_find_the_curly_ones_and_answer_the_sources_characters()
    {
        var passage = Best(Alert, "The rule's \"presumption of denial\" applies");
        Assert.Equal("The rule’s “presumption of denial” applies", passage.Text);
        Assert.Equal("equivalent", passage.Match);
        Assert.Equal(1.0, passage.Score);
    }

    [Fact]
    public void A_hyphen_finds_an_em_dash_and_case_does_not_matter()
    {
        var passage = Best(Alert, "APPLIES - AS THE CAFÉ OWNER SAID - TO ITEMS");
        Assert.Equal("applies—as the café owner said—to items", passage.Text);
        Assert.Equal("equivalent", passage.Match);
    }

    [Fact]
    public void A_collapsed_double_space_or_a_line_break_is_still_found()
    {
        var passage = Best(Alert, "(SMIC) to the Entity\nList");
        Assert.Equal("(SMIC)  to the Entity List", passage.Text);
        Assert.Equal("equivalent", passage.Match);
    }

    [Fact]
    public void A_missing_word_is_an_approximate_match_that_spans_the_words_the_source_has()
    {
        var passage = Best(Alert, "Semiconductor Manufacturing International Corporation (SMIC) to the Entity List");
        Assert.Equal("Semiconductor Manufacturing International Corporation Incorporated (SMIC)  to the Entity List", passage.Text);
        Assert.Equal("approximate", passage.Match);
        Assert.InRange(passage.Score, 0.85, 0.99);
    }

    [Fact]
    public void Nfd_cafe_finds_nfc_cafe_and_nfc_finds_nfd_with_its_combining_mark()
    {
        var decomposed = "as the cafe\u0301 owner";
        Assert.NotEqual("as the café owner", decomposed);
        var passage = Best(Alert, decomposed);
        Assert.Equal("as the café owner", passage.Text);
        Assert.Equal("equivalent", passage.Match);

        // The other way round: the source is NFD; the passage ends after the combining accent, never between.
        var nfdText = "We met at the cafe\u0301. Then we left.";
        var ending = Best(nfdText, "at the café");
        Assert.Equal("at the cafe\u0301", ending.Text);
        Assert.Equal((7, 19), (ending.StartOffset, ending.EndOffset));
    }

    [Fact]
    public void An_elision_stands_for_the_words_between()
    {
        foreach (var phrase in new[] { "BIS added ... to the Entity List", "BIS added … to the Entity List", "BIS added [...] to the Entity List", "BIS added . . . to the Entity List" })
        {
            var passage = Best(Alert, phrase);
            Assert.Equal("BIS added Semiconductor Manufacturing International Corporation Incorporated (SMIC)  to the Entity List", passage.Text);
            Assert.Equal("elided", passage.Match);
            Assert.InRange(passage.Score, 0.9, 0.999);
        }
    }

    [Fact]
    public void A_phrase_found_twice_answers_both_places_in_the_texts_order()
    {
        var passages = PassageFinder.Find(Alert, "SMIC said: \"We will comply.\"", 5);
        Assert.Equal(2, passages.Count);
        Assert.All(passages, p => Assert.Equal("SMIC said: “We will comply.”", p.Text));
        Assert.All(passages, p => Assert.Equal(p.Text, Slice(Alert, p)));
        Assert.True(passages[0].StartOffset < passages[1].StartOffset);
        Assert.Equal(Alert.IndexOf("SMIC said:", StringComparison.Ordinal), passages[0].StartOffset);
        Assert.Equal(Alert.LastIndexOf("SMIC said:", StringComparison.Ordinal), passages[1].StartOffset);
    }

    [Fact]
    public void Offsets_count_code_points_so_an_emoji_before_the_passage_counts_once()
    {
        var text = "😀 SMIC was listed.";
        var passage = Best(text, "smic was listed");
        Assert.Equal(2, passage.StartOffset);
        Assert.Equal(2 + "SMIC was listed".Length, passage.EndOffset);
    }

    [Fact]
    public void A_long_phrase_in_a_text_beyond_the_alignment_budget_is_still_found_where_it_stands()
    {
        var random = new Random(7);
        var words = Enumerable.Range(0, 2000).Select(i => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"w{i}")).ToArray();
        var text = string.Join(' ', Enumerable.Range(0, 250_000).Select(_ => words[random.Next(words.Length)]));
        var start = text.IndexOf(' ', text.Length / 2) + 1;
        var phraseWords = text[start..].Split(' ').Take(90).ToArray();
        Assert.True(90L * 250_000 > PassageFinder.CellBudget);

        // One word changed: still the place, approximately.
        phraseWords[40] = "changed";
        var passage = Assert.Single(PassageFinder.Find(text, string.Join(' ', phraseWords), 1));
        Assert.Equal(start, passage.StartOffset);
        Assert.Equal("approximate", passage.Match);
        Assert.Equal(Math.Round(1 - (1.0 / 90), 3), passage.Score);
    }

    [Fact]
    public void Nothing_close_answers_no_passage_and_limit_bounds_the_answer()
    {
        Assert.Empty(PassageFinder.Find(Alert, "lithography export quotas for Rotterdam", 5));
        Assert.Single(PassageFinder.Find(Alert, "SMIC said: We will comply", 1));
        Assert.False(PassageFinder.HasWords("... …"));
        Assert.True(PassageFinder.HasWords("华为"));
    }

    [Fact]
    public void A_quote_not_found_says_how_far_it_matched_the_first_difference_with_code_points_and_the_nearest_passage()
    {
        var message = QuoteProblem("The rule’s \"presumption of denial\" applies");
        Assert.Contains("does not occur verbatim in source 'alert'", message, StringComparison.Ordinal);
        var at = Alert.IndexOf("The rule", StringComparison.Ordinal);
        Assert.Contains($"Its first 11 characters do, at offset {at}", message, StringComparison.Ordinal);
        Assert.Contains($"then the quote has U+0022 QUOTATION MARK '\"' where the source has U+201C LEFT DOUBLE QUOTATION MARK '“', at offset {at + 11}", message, StringComparison.Ordinal);
        Assert.Contains($"Nearest passage (offsets {at}-{at + 42}, score 1, equivalent): \"The rule’s “presumption of denial” applies\"", message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_quote_with_a_collapsed_double_space_is_told_where_the_source_has_the_second_space()
    {
        var message = QuoteProblem("(SMIC) to the Entity List");
        var at = Alert.IndexOf("(SMIC)", StringComparison.Ordinal);
        Assert.Contains($"Its first 7 characters do, at offset {at}", message, StringComparison.Ordinal);
        Assert.Contains("then the quote has U+0074 't' where the source has U+0020 SPACE", message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_quote_missing_a_word_gets_the_passage_with_the_word()
    {
        var message = QuoteProblem("International Corporation (SMIC)");
        Assert.Contains("then the quote has U+0028 '(' where the source has U+0049 'I'", message, StringComparison.Ordinal);
        Assert.Contains("approximate): \"International Corporation Incorporated (SMIC)\"", message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_quote_in_another_unicode_normalisation_is_told_so()
    {
        var message = QuoteProblem("as the cafe\u0301 owner");
        Assert.Contains("then the quote has U+0065 'e' where the source has U+00E9 'é'", message, StringComparison.Ordinal);
        Assert.Contains("differs from the source only in its Unicode normalisation: the source writes accented letters composed (NFC, as U+00E9 é) where the quote writes them apart", message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_quote_found_twice_needs_its_occurrence_and_gets_the_offsets_of_the_one_named()
    {
        const string quote = "SMIC said: “We will comply.”";
        var first = Alert.IndexOf(quote, StringComparison.Ordinal);
        var second = Alert.LastIndexOf(quote, StringComparison.Ordinal);

        var (_, errors) = Validate(quote, occurrence: null);
        var error = Assert.Single(errors);
        Assert.EndsWith(".citations[0].quote", error.Path, StringComparison.Ordinal);
        Assert.Contains("occurs 2 times in source 'alert'; say which one the citation means with \"occurrence\"", error.Message, StringComparison.Ordinal);
        Assert.Contains($"1: offsets {first}-{first + quote.Length}, between \"…", error.Message, StringComparison.Ordinal);
        Assert.Contains($"2: offsets {second}-{second + quote.Length}, between \"", error.Message, StringComparison.Ordinal);

        var (valid, none) = Validate(quote, occurrence: 2);
        Assert.Empty(none);
        var citation = Assert.Single(valid!.Citations);
        Assert.Equal((second, second + quote.Length, (int?)2), (citation.StartOffset, citation.EndOffset, citation.Occurrence));
        Assert.Equal(2, Documents.From(valid).Citations![0].Occurrence);

        var (_, beyond) = Validate(quote, occurrence: 3);
        Assert.Contains("is 3, but it must be a number from 1 to 2", Assert.Single(beyond).Message, StringComparison.Ordinal);

        // A quote that occurs once needs no occurrence; 1 is accepted, 2 is not.
        Assert.Empty(Validate("Analysts doubted it.", occurrence: 1).Errors);
        Assert.Contains("the quote occurs once", Assert.Single(Validate("Analysts doubted it.", occurrence: 2).Errors).Message, StringComparison.Ordinal);
    }

    private static string QuoteProblem(string quote)
    {
        var (_, errors) = Validate(quote, occurrence: null);
        var error = Assert.Single(errors);
        Assert.EndsWith(".citations[0].quote", error.Path, StringComparison.Ordinal);
        return error.Message;
    }

    private static (ValidEvent? Valid, List<DatasetError> Errors) Validate(string quote, int? occurrence)
    {
        var errors = new List<DatasetError>();
        var @event = new EventDocument
        {
            Id = "smic-listed",
            Date = "2020-12-18",
            Title = "SMIC is listed",
            Summary = "BIS adds SMIC to the Entity List.",
            Category = "entity-listing",
            Tags = [],
            Caveats = [],
            Entities = [],
            Citations = [new CitationDocument { Source = "alert", Quote = quote, Occurrence = occurrence }],
        };
        var valid = DatasetValidator.ValidateEvent(@event, "events[0]", new Dictionary<string, string> { ["alert"] = Alert }, _ => true, errors);
        return (valid, errors);
    }
}
