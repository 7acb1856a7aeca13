using System.ComponentModel;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Timeline.Api.OpenApi;
using Timeline.Api.Problems;
using Timeline.Model.Store;
using Timeline.Model.Text;

namespace Timeline.Api.Sources;

/// <summary>The passages of one source closest to a phrase.</summary>
/// <param name="Source">The source searched.</param>
/// <param name="Phrase">The phrase as given.</param>
/// <param name="Items">The closest passages, best first (highest score, then verbatim before equivalent, then in the text's order), none overlapping another; empty when none scores 0.5 or more.</param>
public sealed record PassageList(string Source, string Phrase, IReadOnlyList<Passage> Items);

/// <summary>
/// GET /sources/{id}/passages: finds the exact words of a source from a phrase as a curator remembers or pasted it, so
/// that a citation's quote can be copied from the answer (its text, verbatim) rather than sliced by hand. The matching is
/// the model's (<see cref="PassageFinder"/>); the text comes through <see cref="ISourceReader"/>.
/// </summary>
public static class SourcePassages
{
    public const int DefaultLimit = 5;

    public static void Map(RouteGroupBuilder group) =>
        group.MapGet("/{id}/passages", FindPassages)
            .WithName("FindSourcePassages")
            .WithSummary("Find the passages of a source closest to a phrase")
            .WithDescription(
                """
                Takes a phrase as you remember or pasted it and answers the source's closest passages, best first, each with its
                `text` exactly as the source has it (copy it as a citation's quote), its `startOffset` and `endOffset` (Unicode code
                points from 0, end exclusive: the unit of citation offsets), a `score` from 0 to 1 and how it matched (`match`):
                `verbatim`, `equivalent` (the same words once quotation-mark and dash styles, spacing and line breaks, case,
                diacritics and Unicode normalisation are set aside: "café" in NFC or NFD, straight or curly quotes, a hyphen
                for an em dash, a double space), `elided` (`...` or `…` in the phrase, also `[...]`, stood for a run of the text;
                each word skipped costs a hundredth of a word) or `approximate` (words missing, extra or different, each costing
                one word of the score). Passages scoring under 0.5 are left out, so an empty list means nothing comes close.
                The phrase is at most 2000 characters (a quote's limit) and needs a letter or digit; `limit` is 1 to 20. 404 for an
                unknown source, 410 for a deleted one.
                """)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status410Gone);

    public static async Task<Results<Ok<PassageList>, ValidationProblem, ProblemHttpResult>> FindPassages(
        [Description("Source id, such as ft-derived-huawei-smic-kirin-9000s.")] string id,
        [FromQuery(Name = "phrase"), RequiredParameter, Description("The words to find, as remembered or pasted (required; at most 2000 characters, with a letter or digit). Quote and dash styles, spacing, line breaks, case, diacritics and Unicode normalisation do not matter; \"...\" or \"…\" stands for any run of the text.")] string? phrase,
        [FromQuery(Name = "limit"), IntegerParameter(1, PassageFinder.MaxLimit, DefaultLimit, Example = 3), Description("The most passages to answer, an integer from 1 to 20. Default 5.")] string? limit,
        ISourceReader sources,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(phrase))
        {
            errors["phrase"] = ["is required: the words to find in the source, as remembered or pasted"];
        }
        else if (phrase.Length > PassageFinder.MaxPhraseLength)
        {
            errors["phrase"] = [$"is {phrase.Length} characters long; at most {PassageFinder.MaxPhraseLength} (as long as a quote may be)"];
        }
        else if (!PassageFinder.HasWords(phrase))
        {
            errors["phrase"] = ["has no letter or digit, so there is no word to find"];
        }

        var count = DefaultLimit;
        if (limit is not null && (!int.TryParse(limit, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out count) || count is < 1 or > PassageFinder.MaxLimit))
        {
            errors["limit"] = [$"'{(limit.Length > 20 ? limit[..20] + "…" : limit)}' is not an integer from 1 to {PassageFinder.MaxLimit}"];
        }

        if (errors.Count > 0)
        {
            return QueryProblems.Invalid(errors);
        }

        var (found, deleted) = await sources.GetAsync(id, cancellationToken);
        if (found is null)
        {
            return deleted is not null ? QueryProblems.Gone("source", id, deleted) : QueryProblems.NotFound("source", id);
        }

        cancellationToken.ThrowIfCancellationRequested();
        return TypedResults.Ok(new PassageList(found.Id, phrase!, PassageFinder.Find(found.Text, phrase!, count)));
    }
}
