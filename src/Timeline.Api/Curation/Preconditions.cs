using System.Globalization;
using Microsoft.Net.Http.Headers;

namespace Timeline.Api.Curation;

/// <summary>Endpoint metadata: the handler sets its own per-record ETag, so the generic conditional-GET middleware leaves it alone.</summary>
public sealed class RecordETag;

/// <summary>
/// Per-record entity tags: <c>"{version}.{dataVersion}"</c>. The version says which state of the record
/// the client holds (what If-Match compares, so two editors never overwrite each other); the data
/// version makes the tag change when something the record's representation shows changes elsewhere
/// (an entity's name in an event), so If-None-Match never serves a stale body.
/// </summary>
public static class Preconditions
{
    public static string Tag(long version, long dataVersion) =>
        string.Create(CultureInfo.InvariantCulture, $"\"{version}.{dataVersion}\"");

    /// <summary>Whether If-None-Match names this tag (weak comparison).</summary>
    public static bool NoneMatch(HttpRequest request, string tag) =>
        EntityTagHeaderValue.TryParseList(request.Headers.IfNoneMatch, out var tags)
        && tags.Any(t => t.Equals(EntityTagHeaderValue.Any) || t.Tag.Equals(tag, StringComparison.Ordinal));

    /// <summary>
    /// Reads If-Match: null when absent; otherwise whether it names the record's current version
    /// (any tag issued for that version matches, whatever data version it was issued at; * matches any).
    /// </summary>
    public static bool? IfMatch(HttpRequest request, long currentVersion)
    {
        if (request.Headers.IfMatch.Count == 0)
        {
            return null;
        }

        if (!EntityTagHeaderValue.TryParseList(request.Headers.IfMatch, out var tags))
        {
            return false;
        }

        return tags.Any(t => t.Equals(EntityTagHeaderValue.Any) || VersionOf(t.Tag.ToString()) == currentVersion);
    }

    private static long? VersionOf(string tag)
    {
        var inner = tag.Trim('"');
        var dot = inner.IndexOf('.', StringComparison.Ordinal);
        var head = dot < 0 ? inner : inner[..dot];
        return long.TryParse(head, NumberStyles.None, CultureInfo.InvariantCulture, out var version) ? version : null;
    }
}

/// <summary>Answers a GET of one record with its per-record ETag, or 304 when the client already has it.</summary>
public static class RecordResponses
{
    public static Microsoft.AspNetCore.Http.HttpResults.Results<Microsoft.AspNetCore.Http.HttpResults.Ok<T>, Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult, Microsoft.AspNetCore.Http.HttpResults.StatusCodeHttpResult> Ok<T>(
        HttpContext context, T record, long version, long dataVersion)
    {
        var tag = Preconditions.Tag(version, dataVersion);
        context.Response.Headers.ETag = tag;
        context.Response.Headers.Vary = HeaderNames.Accept;
        return Preconditions.NoneMatch(context.Request, tag)
            ? TypedResults.StatusCode(StatusCodes.Status304NotModified)
            : TypedResults.Ok(record);
    }
}
