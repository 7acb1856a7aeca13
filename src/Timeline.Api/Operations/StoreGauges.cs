using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;

namespace Timeline.Api.Operations;

/// <summary>
/// The store's state as observable gauges on the <see cref="OperationsMetrics.MeterName"/> meter, read through the store's
/// contract (<see cref="IStoreStatistics"/>) whatever the engine: the records it holds, its data and schema versions, the
/// size of its files, and the running build. The counts are read once per data version (the data version itself is
/// cached by the store), so a scrape of an unchanged store reads nothing, and the gauges of one scrape share one read.
/// Every gauge carries the engine as its <c>engine</c> label ("sqlite" or "postgres"), as the store's own instruments do.
/// </summary>
public sealed class StoreGauges
{
    private readonly IStoreStatistics _statistics;
    private readonly IDataVersion _dataVersion;
    private readonly ILogger<StoreGauges> _log;
    private readonly Lock _gate = new();
    private (long DataVersion, StoreSummary Summary)? _last;
    private readonly KeyValuePair<string, object?> _engine;
    private bool _failing;

    public StoreGauges(IMeterFactory meters, IStoreStatistics statistics, IDataVersion dataVersion, IOptions<TimelineOptions> options, ILogger<StoreGauges> log)
    {
        _engine = new("engine", options.Value.UsesPostgres ? TimelineOptions.StorePostgres : TimelineOptions.StoreSqlite);
        _statistics = statistics;
        _dataVersion = dataVersion;
        _log = log;
        var meter = meters.Create(OperationsMetrics.MeterName);
        meter.CreateObservableGauge(
            "timeline.build_info",
            () => new Measurement<int>(1, new("version", BuildInfo.Version), new("commit", BuildInfo.Commit), _engine),
            description: "The running build: always 1, with the version and commit as labels.");
        meter.CreateObservableGauge(
            "timeline.store.records",
            Records,
            unit: "{record}",
            description: "Records in the store, by table.");
        meter.CreateObservableGauge(
            "timeline.store.data_version",
            () => Summary() is { } summary ? [new Measurement<long>(summary.DataVersion, _engine)] : Array.Empty<Measurement<long>>(),
            description: "The store's data version; it grows with every change.");
        meter.CreateObservableGauge(
            "timeline.store.schema_version",
            () => Summary() is { } summary ? [new Measurement<int>(summary.SchemaVersion, _engine)] : Array.Empty<Measurement<int>>(),
            description: "The store's schema version.");
        meter.CreateObservableGauge(
            "timeline.store.file",
            () => statistics.FileSizes().Select(file => new Measurement<long>(file.Bytes, new KeyValuePair<string, object?>("file", file.File), _engine)),
            unit: "By",
            description: "Size of the store's files: on SQLite the database and its write-ahead log; on PostgreSQL the database (pg_database_size).");
    }

    private IEnumerable<Measurement<long>> Records()
    {
        if (Summary() is not { } summary)
        {
            return [];
        }

        var counts = summary.Counts;
        return
        [
            new(counts.Events, new KeyValuePair<string, object?>("table", "events"), _engine),
            new(counts.Entities, new KeyValuePair<string, object?>("table", "entities"), _engine),
            new(counts.Sources, new KeyValuePair<string, object?>("table", "sources"), _engine),
            new(counts.Citations, new KeyValuePair<string, object?>("table", "citations"), _engine),
        ];
    }

    /// <summary>
    /// The store's summary, read again only when its data version has moved since the last read; null when the store
    /// cannot be read (the gauges then report nothing, and readiness says why). The callbacks of observable instruments
    /// are synchronous: the reads are waited for here, on the collecting thread (a scrape's, or OTLP's export timer).
    /// </summary>
    private StoreSummary? Summary()
    {
        lock (_gate)
        {
            try
            {
                var version = _dataVersion.GetAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult().DataVersion;
                if (_last is not { } last || last.DataVersion != version)
                {
                    _last = last = (version, _statistics.GetAsync(CancellationToken.None).GetAwaiter().GetResult());
                }

                _failing = false;
                return last.Summary;
            }
            catch (Exception failure) when (failure is not OutOfMemoryException)
            {
                // Before the store is migrated (a collection as the host starts), or while it cannot be read: said once
                // per failure, not at every scrape.
                if (!_failing)
                {
                    _log.LogWarning(failure, "The store's gauges could not read the store; they report nothing until it can be read");
                    _failing = true;
                }

                return null;
            }
        }
    }
}
