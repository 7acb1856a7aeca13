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

    /// <summary>A 404 problem for an id the store does not hold.</summary>
    public static ProblemHttpResult NotFound(string what, string id) =>
        TypedResults.Problem(
            statusCode: StatusCodes.Status404NotFound,
            title: $"No such {what}",
            detail: $"There is no {what} with id '{(id.Length > 120 ? string.Concat(id.AsSpan(0, 120), "…") : id)}'.");
}
