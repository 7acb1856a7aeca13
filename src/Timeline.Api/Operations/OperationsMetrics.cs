using System.Diagnostics.Metrics;

namespace Timeline.Api.Operations;

/// <summary>The timeline's own instruments, on the "Timeline.Api" meter; ASP.NET Core's meters cover the requests.</summary>
public sealed class OperationsMetrics
{
    public const string MeterName = "Timeline.Api";

    public OperationsMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        StatementDuration = meter.CreateHistogram(
            "timeline.db.statement.duration",
            unit: "s",
            description: "How long each SQLite statement ran, by operation (select, insert, pragma, ...), at SQLite's millisecond resolution.",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });
        RateLimitRejections = meter.CreateCounter<long>(
            "timeline.rate_limit.rejections",
            unit: "{request}",
            description: "Requests refused with 429 because their client went over its rate limit, by kind (read or write).");
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

    public Histogram<double> StatementDuration { get; }

    public Counter<long> RateLimitRejections { get; }

    public Counter<long> InterruptedStatements { get; }

    public Counter<long> Backups { get; }

    public Counter<long> Facets { get; }
}
