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

    /// <summary>Adds a problem for every query-string parameter the endpoint does not take, so a typo is never silently ignored.</summary>
    public static void RejectUnknown(HttpRequest request, IReadOnlySet<string> known, Dictionary<string, string[]> errors)
    {
        foreach (var key in request.Query.Keys)
        {
            if (!known.Contains(key))
            {
                var shown = key.Length > 60 ? string.Concat(key.AsSpan(0, 60), "…") : key;
                errors[shown] = [$"'{shown}' is not a parameter of this endpoint; it takes {string.Join(", ", known.Order(StringComparer.Ordinal))}"];
            }
        }
    }

    /// <summary>A 404 problem for an id the store does not hold.</summary>
    public static ProblemHttpResult NotFound(string what, string id) =>
        TypedResults.Problem(
            statusCode: StatusCodes.Status404NotFound,
            title: $"No such {what}",
            detail: $"There is no {what} with id '{(id.Length > 120 ? string.Concat(id.AsSpan(0, 120), "…") : id)}'.");
}
