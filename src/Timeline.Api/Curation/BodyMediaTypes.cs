using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace Timeline.Api.Curation;

/// <summary>
/// The media types write bodies come in, and the 415 that refuses any other: it names every type the endpoint takes,
/// in its detail and as the extension member <c>accepted</c>, and in the <c>Accept</c> response header (RFC 9110
/// 15.5.16), or <c>Accept-Patch</c> for PATCH (RFC 5789 2.2). Text is UTF-8 only: a charset parameter, if given, must
/// say so.
/// </summary>
public static class BodyMediaTypes
{
    public const string Json = "application/json";
    public const string MergePatch = "application/merge-patch+json";
    public const string JsonPatch = "application/json-patch+json";
    public const string Text = "text/plain";
    public const string Multipart = "multipart/form-data";

    /// <summary>What each accepted type is, for the 415's detail.</summary>
    private static readonly Dictionary<string, string> Meanings = new(StringComparer.Ordinal)
    {
        [Json] = "a JSON document",
        [MergePatch] = "an RFC 7396 JSON Merge Patch",
        [JsonPatch] = "an RFC 6902 JSON Patch",
        [Text] = "the source's text itself, UTF-8, with its metadata as query parameters",
        [Multipart] = "a form with the text as a file part named `text` and the metadata as fields",
    };

    /// <summary>
    /// Declares the body an endpoint takes (documented as <typeparamref name="TBody"/> in OpenAPI) while letting every
    /// media type through routing to the handler, which checks it with <see cref="Check"/>: routing's own check of
    /// <c>Accepts</c> metadata would answer a bare 415 that names nothing. The <c>*/*</c> this adds for routing is left
    /// out of the OpenAPI document (<c>OpenApi/WriteBodyDocs</c>).
    /// </summary>
    public static RouteHandlerBuilder AcceptsBody<TBody>(this RouteHandlerBuilder builder, string mediaType)
        where TBody : notnull =>
        builder.Accepts<TBody>(mediaType, AnyMediaType);

    /// <summary>The media type that matches every request in routing (never a type the API documents).</summary>
    public const string AnyMediaType = "*/*";

    /// <summary>
    /// The request's media type (lower case) when it is one of <paramref name="accepted"/> with no charset or UTF-8;
    /// otherwise the 415 problem naming the accepted types.
    /// </summary>
    public static (string? MediaType, ProblemHttpResult? Refused) Check(HttpContext http, params string[] accepted)
    {
        var given = http.Request.ContentType;
        if (!MediaTypeHeaderValue.TryParse(given, out var parsed) || parsed.MediaType.Value is not { } mediaType)
        {
            return (null, Unsupported(http, accepted, string.IsNullOrEmpty(given) ? "the request has no Content-Type" : $"'{given}' is not a media type"));
        }

        mediaType = mediaType.ToLowerInvariant();
        if (!accepted.Contains(mediaType))
        {
            return (null, Unsupported(http, accepted, $"got '{given}'"));
        }

        var charset = parsed.Charset.Value?.Trim('"');
        if (charset is not null && !string.Equals(charset, "utf-8", StringComparison.OrdinalIgnoreCase))
        {
            return (null, Unsupported(http, accepted,
                $"got charset '{charset}': text is taken as UTF-8 only (label it charset=utf-8 or give no charset; ASCII is UTF-8 already), and is stored as sent, never converted"));
        }

        return (mediaType, null);
    }

    /// <summary>The 415 for a body of a type not in <paramref name="accepted"/>, saying what was wrong with it.</summary>
    public static ProblemHttpResult Unsupported(HttpContext http, IReadOnlyList<string> accepted, string why)
    {
        var list = string.Join(", ", accepted);
        if (HttpMethods.IsPatch(http.Request.Method))
        {
            http.Response.Headers["Accept-Patch"] = list;
        }
        else
        {
            http.Response.Headers.Accept = list;
        }

        var described = accepted.Select(a => Meanings.TryGetValue(a, out var meaning) ? $"{a} ({meaning})" : a).ToList();
        return TypedResults.Problem(
            statusCode: StatusCodes.Status415UnsupportedMediaType,
            title: "Unsupported media type",
            detail: $"Send the body as {(described.Count == 1 ? described[0] : "one of: " + string.Join("; ", described))}; {why}.",
            extensions: new Dictionary<string, object?> { ["accepted"] = accepted.ToArray() });
    }
}
