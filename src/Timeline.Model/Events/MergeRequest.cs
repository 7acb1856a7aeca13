using System.ComponentModel;

namespace Timeline.Model.Events;

/// <summary>What POST /events/{id}/merge takes: the event that survives, and optionally the ETag it was read at.</summary>
public sealed record MergeRequest
{
    /// <summary>The id of the event that survives and receives the merged event's citations, entities, tags, caveats, references and links.</summary>
    [Description("The id of the event that survives and receives the merged event's citations, entities, tags, caveats, references and links.")]
    public string? Into { get; init; }

    /// <summary>Optional: the surviving event's ETag as you read it; when given, the merge is refused with 412 if that event changed since.</summary>
    [Description("Optional: the surviving event's ETag as you read it (e.g. \"\\\"3.17\\\"\"); when given, the merge is refused with 412 if that event changed since.")]
    public string? IntoETag { get; init; }
}
