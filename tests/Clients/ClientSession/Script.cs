namespace ClientSession;

/// <summary>
/// What the sessions ask for, shared with GeneratedClientTests (which links this file), so the lines a session prints
/// can be compared with what the server answers to plain HTTP.
/// </summary>
public static class Script
{
    /// <summary>The list: this entity's corporate events and statements, <see cref="PageSize"/> a page, every cursor followed.</summary>
    public const string Entity = "huawei";

    public const int PageSize = 2;

    /// <summary>One event with its citations.</summary>
    public const string EventId = "smic-added-to-us-sanctions-list";

    public const string SearchQuery = "Kirin";

    public const int SearchLimit = 3;

    /// <summary>The exports (CSV and iCalendar): this entity's events, which the events the sessions write do not involve.</summary>
    public const string ExportEntity = "huawei";

    public const string PatchedSummary = "SMIC was added to the US sanctions list in December 2020.";

    /// <summary>The id of the event a session creates, patches, deletes and restores (one per client).</summary>
    public static string NewEventId(string client) => $"client-session-{client}";
}
