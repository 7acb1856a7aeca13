using Microsoft.AspNetCore.Http.HttpResults;

namespace Timeline.Api.Problems;

/// <summary>The one way a bad request is answered: an RFC 9457 validation problem naming each offending parameter.</summary>
public static class QueryProblems
{
    public static ValidationProblem Invalid(Dictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(
            errors,
            title: errors.Count == 1 ? $"Invalid parameter '{errors.Keys.First()}'" : "Invalid parameters",
            detail: string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")));

    /// <summary>A 410 problem for a deleted record: when, by whom, and how to bring it back.</summary>
    public static ProblemHttpResult Gone(string what, string id, Tombstone tombstone) =>
        TypedResults.Problem(
            statusCode: StatusCodes.Status410Gone,
            title: $"The {what} was deleted",
            detail: $"The {what} '{id}' was deleted at {tombstone.DeletedAt} by {tombstone.DeletedBy}. Its history stays at /{Plural(what)}/{id}/revisions; POST /{Plural(what)}/{id}/restore brings it back.",
            extensions: new Dictionary<string, object?> { ["deletedAt"] = tombstone.DeletedAt, ["deletedBy"] = tombstone.DeletedBy, ["version"] = tombstone.Version });

    public static string Plural(string what) => what switch
    {
        "entity" => "entities",
        _ => what + "s",
    };

    /// <summary>A 404 problem for an id the store does not hold.</summary>
    public static ProblemHttpResult NotFound(string what, string id) =>
        TypedResults.Problem(
            statusCode: StatusCodes.Status404NotFound,
            title: $"No such {what}",
            detail: $"There is no {what} with id '{(id.Length > 120 ? string.Concat(id.AsSpan(0, 120), "…") : id)}'.");
}
