namespace Timeline.Model.Store.Engine;

/// <summary>Who changes the store, when, and why: the API key's name (or "seed", "import"), the time, and the reason given (or null).</summary>
/// <param name="Actor">Who: the API key's name, or seed, import.</param>
/// <param name="At">When the change is committed.</param>
/// <param name="Reason">Why, as the writer said, or null.</param>
/// <param name="Seq">The revision's position in the change feed, when a replayed history gives it; null to take the next.</param>
public sealed record Change(string Actor, DateTimeOffset At, string? Reason = null, long? Seq = null)
{
    /// <summary>When, as every engine stores it (<see cref="Timestamps.Format"/>).</summary>
    public string Stamp => Timestamps.Format(At);
}

/// <summary>The one format of stored timestamps, in every engine: UTC, ISO 8601, milliseconds, Z.</summary>
public static class Timestamps
{
    public static string Format(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
