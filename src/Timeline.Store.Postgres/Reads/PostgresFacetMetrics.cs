using System.Diagnostics.Metrics;

namespace Timeline.Store.Postgres;

/// <summary>The facets counted, by source (memory or sql), on the store's meter: timeline.facets.counted, with engine="postgres".</summary>
public sealed class PostgresFacetMetrics(IMeterFactory meters)
{
    private readonly Counter<long> _facets = meters.Create(StoreTelemetry.MeterName).CreateCounter<long>(
        "timeline.facets.counted",
        unit: "{facet}",
        description: "Facets counted, by source (memory: an in-memory copy of days, categories, tags and entities; sql) and engine.");

    public void Counted(string source) =>
        _facets.Add(1, new KeyValuePair<string, object?>("source", source), new KeyValuePair<string, object?>("engine", TimelineOptions.StorePostgres));
}
