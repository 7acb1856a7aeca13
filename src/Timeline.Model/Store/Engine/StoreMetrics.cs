using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Timeline.Model.Store.Engine;

/// <summary>
/// The store's instruments, on the <see cref="StoreTelemetry.MeterName"/> meter, and its statements' activities, from the
/// <see cref="StoreTelemetry.ActivitySourceName"/> source, whatever the engine: every measurement carries the engine as
/// its <c>engine</c> label ("sqlite" or "postgres"), so the metrics keep their names on both and a dashboard tells them
/// apart, or sums them, by that label.
/// </summary>
public sealed class StoreMetrics : IDisposable
{
    /// <param name="meters">The host's meter factory.</param>
    /// <param name="engine">The engine's name, as Timeline:Store spells it: the <c>engine</c> label of every measurement.</param>
    /// <param name="databaseSystem">The database system as OpenTelemetry names it (sqlite, postgresql): the statements' db.system.name.</param>
    public StoreMetrics(IMeterFactory meters, string engine, string databaseSystem)
    {
        Engine = engine;
        DatabaseSystem = databaseSystem;
        var label = new KeyValuePair<string, object?>("engine", engine);
        var meter = meters.Create(StoreTelemetry.MeterName);
        StatementDuration = new StoreHistogram(
            meter.CreateHistogram(
                "timeline.db.statement.duration",
                unit: "s",
                description: "How long each statement of the store ran, by operation (select, insert, pragma, ...) and engine (SQLite's at millisecond resolution).",
                tags: null,
                advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] }),
            label);
        InterruptedStatements = new StoreCounter(
            meter.CreateCounter<long>(
                "timeline.db.statement.interruptions",
                unit: "{statement}",
                description: "Statements of the store interrupted because their request timed out or its client went away, by engine."),
            label);
        Backups = new StoreCounter(
            meter.CreateCounter<long>(
                "timeline.backups",
                unit: "{backup}",
                description: "Consistent copies of the store written by POST /admin/backup or the backup command, by outcome and engine."),
            label);
        Facets = new StoreCounter(
            meter.CreateCounter<long>(
                "timeline.facets.counted",
                unit: "{facet}",
                description: "Facets counted, by source (memory: an in-memory copy of days, categories, tags and entities; sql) and engine."),
            label);
    }

    /// <summary>The engine's name: the <c>engine</c> label.</summary>
    public string Engine { get; }

    /// <summary>The database system as OpenTelemetry names it: each statement activity's <c>db.system.name</c>.</summary>
    public string DatabaseSystem { get; }

    /// <summary>One activity per statement run under a traced operation (nothing is made while no one listens).</summary>
    public ActivitySource Statements { get; } = new(StoreTelemetry.ActivitySourceName);

    public StoreHistogram StatementDuration { get; }

    public StoreCounter InterruptedStatements { get; }

    public StoreCounter Backups { get; }

    public StoreCounter Facets { get; }

    /// <summary>
    /// The activity of a statement that started at <paramref name="startTime"/>, named by its operation and tagged with the
    /// database system and the operation (the caller adds the statement's text when all data is requested, and ends it);
    /// null while no one listens. Its parent is <paramref name="parent"/>, or the current activity when that is default.
    /// </summary>
    public Activity? StartStatement(string operation, DateTimeOffset startTime, ActivityContext parent = default)
    {
        var activity = Statements.StartActivity(
            ActivityKind.Client,
            parentContext: parent,
            tags: null,
            links: null,
            startTime: startTime,
            name: operation.ToUpperInvariant());
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("db.system.name", DatabaseSystem);
            activity.SetTag("db.operation.name", operation);
        }

        return activity;
    }

    public void Dispose() => Statements.Dispose();
}

/// <summary>A counter of the store's meter whose every measurement carries the engine's label.</summary>
public sealed class StoreCounter(Counter<long> counter, KeyValuePair<string, object?> engine)
{
    public void Add(long delta) => counter.Add(delta, engine);

    public void Add(long delta, KeyValuePair<string, object?> tag) => counter.Add(delta, tag, engine);
}

/// <summary>A histogram of the store's meter whose every measurement carries the engine's label.</summary>
public sealed class StoreHistogram(Histogram<double> histogram, KeyValuePair<string, object?> engine)
{
    public void Record(double value, KeyValuePair<string, object?> tag) => histogram.Record(value, tag, engine);
}
