namespace Timeline.Api.OpenApi;

/// <summary>
/// Endpoint metadata: a header the endpoint's successful (2xx) answers may carry, which the OpenAPI document lists
/// under each success response.
/// </summary>
public sealed record ResponseHeader(string Name, string Description, string? Example = null);

/// <summary>
/// Endpoint metadata: the endpoint reads If-Match (the ETag of the version being changed), required or optional, which
/// the OpenAPI document lists as a header parameter.
/// </summary>
public sealed record IfMatchHeader(bool Required);

/// <summary>The per-record ETag (<c>"{version}.{dataVersion}"</c>, Curation/Preconditions.cs) as the document describes it.</summary>
public static class RecordETags
{
    public const string Example = "\"3.1207\"";

    public const string Description =
        "The record's entity tag, \"version.dataVersion\" (quotes included): the record's version and the store's data version. Send it back as If-Match to change the record, or as If-None-Match to revalidate (304).";

    public const string IfMatchDescription =
        "The ETag of the version being changed, \"version.dataVersion\" with its quotes, as the ETag header of GET /{plural}/{id} or of the last write gave it (for example \"3.1207\"); \"*\" matches any version. Without it a write is refused with 428; when the record has changed meanwhile, with 412.";
}

public static class ResponseHeaderExtensions
{
    public static RouteHandlerBuilder ProducesHeader(this RouteHandlerBuilder builder, string name, string description, string? example = null) =>
        builder.WithMetadata(new ResponseHeader(name, description, example));

    /// <summary>The answer carries the record's ETag.</summary>
    public static RouteHandlerBuilder ProducesETag(this RouteHandlerBuilder builder) =>
        builder.ProducesHeader("ETag", RecordETags.Description, RecordETags.Example);

    /// <summary>The endpoint reads If-Match: <paramref name="required"/> (428 without it) or optional.</summary>
    public static RouteHandlerBuilder AcceptsIfMatch(this RouteHandlerBuilder builder, bool required) =>
        builder.WithMetadata(new IfMatchHeader(required));
}
