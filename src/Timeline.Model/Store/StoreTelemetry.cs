namespace Timeline.Model.Store;

/// <summary>Names every store engine publishes its measurements under, whatever the engine.</summary>
public static class StoreTelemetry
{
    /// <summary>The meter of the store's instruments (statement durations, interruptions, facets counted, backups).</summary>
    public const string MeterName = "Timeline.Store";

    /// <summary>
    /// The activity source of the store's statements: one activity per statement, a child of the operation that ran it
    /// (for the HTTP API, its request), named by the statement's operation and tagged with the database system, the
    /// operation and the statement's text (parameters never: they are bound, not written into it). A host traces the
    /// store by listening to this name, without knowing which engine serves it.
    /// </summary>
    public const string ActivitySourceName = "Timeline.Store";
}

/// <summary>
/// The cancellation of the operation the current asynchronous flow serves (for the HTTP API, the request's
/// RequestAborted), so that an engine can stop a statement whose caller went away or timed out even where the
/// statement was not handed a token. The engine never sees what the operation is.
/// </summary>
public interface IAmbientCancellation
{
    /// <summary>The current operation's token, or <see cref="CancellationToken.None"/> outside any operation.</summary>
    CancellationToken Current { get; }
}
