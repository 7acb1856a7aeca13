namespace Timeline.Api.Caching;

/// <summary>Endpoint metadata: the handler sets its own per-record ETag, so the generic conditional-GET middleware leaves it alone.</summary>
public sealed class RecordETag;
