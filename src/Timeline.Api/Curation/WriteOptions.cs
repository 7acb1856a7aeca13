using Microsoft.AspNetCore.Http.HttpResults;

namespace Timeline.Api.Curation;

/// <summary>
/// The two query parameters every write takes: <c>reason</c> (why, kept in the revision and the change feed) and
/// <c>dryRun</c> (check the write without writing it). Read once here, for every write route.
/// </summary>
public static class WriteOptions
{
    /// <summary>The response header that marks the answer of a dry run.</summary>
    public const string DryRunHeader = "Timeline-Dry-Run";

    public const string ReasonDescription =
        "Why the change is made, in your words (one line, at most 500 characters): kept with the revision this write adds, and shown in "
        + "GET .../revisions, the revision itself and GET /changes. Optional.";

    public const string DryRunDescription =
        "`true` to check the write without writing it: everything a write does runs (the If-Match precondition, validation with the "
        + "quote offsets, conflicts, the data-honesty warnings), the answer shows the record exactly as it would be stored, and then "
        + "nothing is kept: no version, no revision, no change in the feed. A dry run answers 200 (204 for a delete) with the header "
        + "`Timeline-Dry-Run: true` and no ETag, or the same problem the write would get. `false` (the default) writes.";

    public const string DryRunHeaderDescription = "`true` when the request was a dry run: nothing was written.";

    /// <summary>The write's context for the caller: its actor, reason and dry-run flag, or the 400 problem naming a bad parameter.</summary>
    public static (WriteContext? Context, ProblemHttpResult? Problem) Read(HttpContext http, string? reason, string? dryRun)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (WriteContext.ReasonProblem(reason) is { } reasonProblem)
        {
            errors["reason"] = [reasonProblem];
        }

        var dry = false;
        if (dryRun is not null && !TryFlag(dryRun, out dry))
        {
            errors["dryRun"] = [$"'{Shorten(dryRun)}' is not true or false"];
        }

        if (errors.Count > 0)
        {
            return (null, TypedResults.Problem(new HttpValidationProblemDetails(errors)
            {
                Status = StatusCodes.Status400BadRequest,
                Title = errors.Count == 1 ? $"Invalid parameter '{errors.Keys.First()}'" : "Invalid parameters",
                Detail = string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")),
            }));
        }

        if (dry)
        {
            http.Response.Headers[DryRunHeader] = "true";
        }

        return (new WriteContext(Actor(http), reason, dry), null);
    }

    /// <summary>The name of the API key that writes.</summary>
    public static string Actor(HttpContext http) => http.User.Identity?.Name ?? "anonymous";

    /// <summary>Reads a true/false query flag as every endpoint takes one: true, false, 1 or 0.</summary>
    public static bool TryFlag(string value, out bool flag)
    {
        switch (value)
        {
            case "true" or "True" or "1":
                flag = true;
                return true;
            case "false" or "False" or "0":
                flag = false;
                return true;
            default:
                flag = false;
                return false;
        }
    }

    private static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "…";
}
