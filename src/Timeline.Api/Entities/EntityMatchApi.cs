using System.ComponentModel;
using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Timeline.Api.Matching;
using Timeline.Api.OpenApi;
using Timeline.Api.Problems;

namespace Timeline.Api.Entities;

/// <summary>One entity scored against the name asked for.</summary>
/// <param name="Id">The entity's id (GET /entities/{id}, the `entity` filter of GET /events).</param>
/// <param name="Name">Its display name.</param>
/// <param name="Kind">Its kind (GET /entity-kinds).</param>
/// <param name="Country">ISO 3166-1 alpha-2 country code, or null.</param>
/// <param name="Aliases">Its other names.</param>
/// <param name="Score">From 0 to 1, rounded to 3 decimals: 1 is the same name; answers go down to 0.5.</param>
/// <param name="Match">Whether the score reaches 0.8, the threshold from which the name is taken to be this entity's.</param>
/// <param name="MatchedName">The name, alias or id of the entity that scored best, as written.</param>
/// <param name="MatchedField">Which of the entity's names it is: `name`, `alias` or `id`.</param>
/// <param name="Reasons">Why it matched, strongest first: each a feature (see MatchFeature) and what it found.</param>
public sealed record EntityMatchItem(
    string Id,
    string Name,
    string Kind,
    string? Country,
    IReadOnlyList<string> Aliases,
    double Score,
    bool Match,
    string MatchedName,
    string MatchedField,
    IReadOnlyList<MatchReason> Reasons);

/// <summary>The entities matching a name, best first.</summary>
/// <param name="Query">The name as asked.</param>
/// <param name="Folded">The name as compared: lower case, accents, tones and punctuation set aside, words separated by spaces.</param>
/// <param name="Items">At most `limit` entities scoring 0.5 or more, best first (then by name).</param>
public sealed record EntityMatchList(string Query, string Folded, IReadOnlyList<EntityMatchItem> Items);

/// <summary>GET /entities/match: which entities a name may stand for, scored like a screening service's name search.</summary>
public static class EntityMatchApi
{
    public const int DefaultLimit = 10;
    public const int MaxLimit = 50;
    public const int MaxNameLength = 200;

    public const string Description =
        """
        Scores every entity against a name, as sanctions screening services do (OpenSanctions' match API, the Consolidated
        Screening List's fuzzy name search), and answers the best first, each with its `score` (0 to 1), whether it is a
        `match` (0.8 or more), the name, alias or id that `matchedName` scored best (`matchedField`) and the `reasons`.
        Every name and alias is compared once case, accents, pinyin tone marks or numbers (Xú Zhìjūn, xu2 zhi4jun1) and
        punctuation are set aside: the same words in another order (Zhijun Xu finds Xu Zhijun), run together or spelt
        apart (XuZhijun, Kirin9000S), initials (SMIC for Semiconductor Manufacturing International Corporation, and back),
        misspelt words (Huawey), words typed in part (Huaw), Chinese characters (华为, 中芯 within 中芯国际); legal forms such
        as Corporation or Ltd count little. Answers below 0.5 are left out, so an empty list says nothing is near. Use it
        before adding an entity (is it already here, under another name?) and to find the id to link an event to.
        """;

    public static async Task<Results<Ok<EntityMatchList>, ValidationProblem>> MatchEntities(
        [FromQuery(Name = "name"), RequiredParameter, Description("The name to match, as written anywhere: a full name, an alias, initials, another order, with or without accents or tones, or in Chinese characters (at most 200 characters).")] string? name,
        [FromQuery(Name = "kind"), Description("Only entities of this kind (GET /entity-kinds lists them).")] string? kind,
        [FromQuery(Name = "limit"), Description("The most entities to answer, an integer from 1 to 50. Default 10."), IntegerParameter(1, MaxLimit, DefaultLimit, Example = 5)] string? limit,
        EntityMatching matching,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(name))
        {
            errors["name"] = ["give the name to match, such as name=Zhijun Xu"];
        }
        else if (name.Length > MaxNameLength)
        {
            errors["name"] = [$"is longer than {MaxNameLength} characters"];
        }
        else if (NameText.Of(name).Words.Count == 0)
        {
            errors["name"] = ["has no letter or digit to match"];
        }

        if (KindError(kind) is { } kindError)
        {
            errors["kind"] = [kindError];
        }

        var count = DefaultLimit;
        if (!string.IsNullOrEmpty(limit)
            && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out count) || count < 1 || count > MaxLimit))
        {
            errors["limit"] = [$"'{limit}' is not an integer from 1 to {MaxLimit}"];
        }

        if (errors.Count > 0)
        {
            return QueryProblems.Invalid(errors);
        }

        var matcher = await matching.GetAsync(cancellationToken);
        var items = matcher.Match(name!.Trim(), string.IsNullOrEmpty(kind) ? null : kind, EntityMatcher.Cutoff, count)
            .Select(m => new EntityMatchItem(
                m.Entity.Id, m.Entity.Name, m.Entity.Kind, m.Entity.Country, m.Entity.Aliases,
                m.Score, m.Score >= EntityMatcher.MatchThreshold, m.MatchedName, m.MatchedField, m.Reasons))
            .ToList();
        return TypedResults.Ok(new EntityMatchList(name, string.Join(' ', NameText.Of(name).Words), items));
    }

    /// <summary>The problem with a `kind` value (with the nearest kind when one is near), or null when it is one or absent.</summary>
    public static string? KindError(string? kind) =>
        string.IsNullOrEmpty(kind) || Vocabularies.IsEntityKind(kind)
            ? null
            : $"'{kind}' is not an entity kind{(EntityMatcher.NearestTerm(Vocabularies.EntityKinds, kind) is { } near ? $" (did you mean '{near.Id}'?)" : "")}; the kinds are {Vocabularies.List(Vocabularies.EntityKinds)} (GET /entity-kinds describes them)";
}
