namespace Timeline.Model.Store.Engine;

/// <summary>
/// The row an engine's statistics query answers (columns events, entities, sources, citations, data_version and
/// updated_at: the live records by kind, and the store's data version), whatever the engine.
/// </summary>
public sealed class StoreSummaryRow
{
    public long Events { get; init; }

    public long Entities { get; init; }

    public long Sources { get; init; }

    public long Citations { get; init; }

    public long DataVersion { get; init; }

    public string UpdatedAt { get; init; } = string.Empty;

    /// <summary>The summary of a store at <paramref name="schemaVersion"/> holding this row.</summary>
    public StoreSummary ToSummary(int schemaVersion) =>
        new(schemaVersion, DataVersion, UpdatedAt, new StoreCounts(Events, Entities, Sources, Citations));
}
