using System.Diagnostics;
using System.Diagnostics.Metrics;
using Timeline.Model.Store;

namespace Timeline.Store.Sqlite;

/// <summary>
/// The store's instruments, on the <see cref="StoreTelemetry.MeterName"/> meter, and its statements' activities, from the
/// <see cref="StoreTelemetry.ActivitySourceName"/> source.
/// </summary>
public sealed class StoreMetrics : IDisposable
{
    public StoreMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(StoreTelemetry.MeterName);
        StatementDuration = meter.CreateHistogram(
            "timeline.db.statement.duration",
            unit: "s",
            description: "How long each SQLite statement ran, by operation (select, insert, pragma, ...), at SQLite's millisecond resolution.",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });
        InterruptedStatements = meter.CreateCounter<long>(
            "timeline.db.statement.interruptions",
            unit: "{statement}",
            description: "SQLite statements interrupted because their request timed out or its client went away.");
        Backups = meter.CreateCounter<long>(
            "timeline.backups",
            unit: "{backup}",
            description: "Consistent copies of the store written by POST /admin/backup or the backup command, by outcome.");
        Facets = meter.CreateCounter<long>(
            "timeline.facets.counted",
            unit: "{facet}",
            description: "Facets counted, by source: memory (the in-memory copy of days, categories, tags and entities) or sql.");
    }

    /// <summary>One activity per statement run under a traced operation (nothing is made while no one listens).</summary>
    public ActivitySource Statements { get; } = new(StoreTelemetry.ActivitySourceName);

    public Histogram<double> StatementDuration { get; }

    public Counter<long> InterruptedStatements { get; }

    public Counter<long> Backups { get; }

    public Counter<long> Facets { get; }

    public void Dispose() => Statements.Dispose();
}
