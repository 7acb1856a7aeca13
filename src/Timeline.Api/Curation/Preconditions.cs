using System.Globalization;
using Microsoft.Net.Http.Headers;

namespace Timeline.Api.Curation;


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
    /// Reads If-Match as the store's precondition: absent, "*", or the entity tags given (a header that cannot be
    /// read names no version, so it matches none).
    /// </summary>
    public static IfMatch IfMatch(HttpRequest request)
    {
        if (request.Headers.IfMatch.Count == 0)
        {
            return Model.Store.IfMatch.Absent;
        }

        if (!EntityTagHeaderValue.TryParseList(request.Headers.IfMatch, out var tags))
        {
            return Model.Store.IfMatch.Tags([]);
        }

        return tags.Any(t => t.Equals(EntityTagHeaderValue.Any))
            ? Model.Store.IfMatch.Any
            : Model.Store.IfMatch.Tags(tags.Select(t => t.Tag.ToString()).ToList());
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
