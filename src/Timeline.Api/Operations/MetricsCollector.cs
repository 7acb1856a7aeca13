using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Timeline.Api.Operations;

/// <summary>
/// Listens to System.Diagnostics.Metrics instruments and keeps running totals for GET /metrics: ASP.NET Core's
/// own meters (requests by route and status, Kestrel connections, rate limiting, exceptions), the timeline's
/// meter, and the runtime's. Only the meters of this application's <see cref="IMeterFactory"/> are taken, so
/// two hosts in one process (as in the tests) never count each other's requests.
/// </summary>
public sealed class MetricsCollector : IDisposable
{
    /// <summary>Meters made by this application's meter factory.</summary>
    private static readonly HashSet<string> ApplicationMeters = new(StringComparer.Ordinal)
    {
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Server.Kestrel",
        "Microsoft.AspNetCore.RateLimiting",
        "Microsoft.AspNetCore.Diagnostics",
        "Microsoft.AspNetCore.Authentication",
        "Microsoft.AspNetCore.Authorization",
        OperationsMetrics.MeterName,
        Timeline.Model.Store.StoreTelemetry.MeterName,
    };

    /// <summary>Process-wide meters, which belong to no factory.</summary>
    private static readonly HashSet<string> ProcessMeters = new(StringComparer.Ordinal) { "System.Runtime" };

    private readonly IMeterFactory _meters;
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<Instrument, Aggregate> _aggregates = new();
    private readonly Lock _scrape = new();

    public MetricsCollector(IMeterFactory meters)
    {
        _meters = meters;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (Wanted(instrument) && Aggregate.For(instrument) is { } aggregate)
            {
                _aggregates[instrument] = aggregate;
                listener.EnableMeasurementEvents(instrument, aggregate);
            }
        };
        _listener.MeasurementsCompleted = (instrument, _) => _aggregates.TryRemove(instrument, out Aggregate? _);
        _listener.SetMeasurementEventCallback<byte>((_, value, tags, state) => ((Aggregate)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<short>((_, value, tags, state) => ((Aggregate)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>((_, value, tags, state) => ((Aggregate)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<long>((_, value, tags, state) => ((Aggregate)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<float>((_, value, tags, state) => ((Aggregate)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>((_, value, tags, state) => ((Aggregate)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<decimal>((_, value, tags, state) => ((Aggregate)state!).Record((double)value, tags));
        _listener.Start();
    }

    /// <summary>Takes the observable instruments' current values and writes every instrument.</summary>
    public void WriteTo(PrometheusText text)
    {
        lock (_scrape)
        {
            foreach (var aggregate in _aggregates.Values.Where(a => a.IsObservable))
            {
                aggregate.Clear();
            }

            _listener.RecordObservableInstruments();
            foreach (var aggregate in _aggregates.Values.OrderBy(a => a.PrometheusName, StringComparer.Ordinal))
            {
                aggregate.WriteTo(text);
            }
        }
    }

    public void Dispose() => _listener.Dispose();

    private bool Wanted(Instrument instrument) =>
        (ReferenceEquals(instrument.Meter.Scope, _meters) && ApplicationMeters.Contains(instrument.Meter.Name))
        || (instrument.Meter.Scope is null && ProcessMeters.Contains(instrument.Meter.Name));

    private enum Kind
    {
        /// <summary>Counter: measurements are added; exposed as a Prometheus counter.</summary>
        Sum,

        /// <summary>UpDownCounter: measurements are added; exposed as a gauge.</summary>
        UpDownSum,

        /// <summary>ObservableCounter: each observation is the running total.</summary>
        ObservedTotal,

        /// <summary>Gauge, ObservableGauge, ObservableUpDownCounter: the last value.</summary>
        Last,

        Histogram,
    }

    /// <summary>The series of one instrument, one per distinct set of tags.</summary>
    private sealed class Aggregate
    {
        private static readonly double[] SecondsBuckets = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
        private static readonly double[] DefaultBuckets = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

        private readonly Instrument _instrument;
        private readonly Kind _kind;
        private readonly double[] _bounds;
        private readonly ConcurrentDictionary<string, Series> _series = new(StringComparer.Ordinal);

        private Aggregate(Instrument instrument, Kind kind, double[] bounds)
        {
            _instrument = instrument;
            _kind = kind;
            _bounds = bounds;
            var name = PrometheusText.Name(instrument.Name);
            var unit = instrument.Unit switch
            {
                "s" => "_seconds",
                "ms" => "_milliseconds",
                "By" => "_bytes",
                _ => string.Empty,
            };
            if (unit.Length > 0 && !name.EndsWith(unit, StringComparison.Ordinal))
            {
                name += unit;
            }

            // In the 0.0.4 text format a counter's family and samples both carry the _total suffix.
            PrometheusName = kind is Kind.Sum or Kind.ObservedTotal && !name.EndsWith("_total", StringComparison.Ordinal) ? name + "_total" : name;
        }

        public string PrometheusName { get; }

        public bool IsObservable => _instrument.IsObservable;

        public static Aggregate? For(Instrument instrument)
        {
            var type = instrument.GetType();
            if (!type.IsGenericType)
            {
                return null;
            }

            var definition = type.GetGenericTypeDefinition();
            Kind? kind =
                definition == typeof(Counter<>) ? Kind.Sum
                : definition == typeof(UpDownCounter<>) ? Kind.UpDownSum
                : definition == typeof(ObservableCounter<>) ? Kind.ObservedTotal
                : definition == typeof(Gauge<>) || definition == typeof(ObservableGauge<>) || definition == typeof(ObservableUpDownCounter<>) ? Kind.Last
                : definition == typeof(Histogram<>) ? Kind.Histogram
                : null;
            if (kind is null)
            {
                return null;
            }

            var advised = instrument switch
            {
                Histogram<double> h => h.Advice?.HistogramBucketBoundaries?.ToArray(),
                Histogram<long> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
                Histogram<int> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
                _ => null,
            };
            return new Aggregate(instrument, kind.Value, advised ?? (instrument.Unit == "s" ? SecondsBuckets : DefaultBuckets));
        }

        public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var labels = new KeyValuePair<string, string>[tags.Length];
            for (var i = 0; i < tags.Length; i++)
            {
                labels[i] = new(PrometheusText.Name(tags[i].Key), Convert.ToString(tags[i].Value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty);
            }

            Array.Sort(labels, (a, b) => string.CompareOrdinal(a.Key, b.Key));
            var key = string.Join('\u0001', labels.Select(l => l.Key + "\u0002" + l.Value));
            var series = _series.GetOrAdd(key, _ => new Series(labels, _kind == Kind.Histogram ? _bounds.Length + 1 : 0));
            lock (series)
            {
                switch (_kind)
                {
                    case Kind.Sum or Kind.UpDownSum:
                        series.Value += value;
                        break;
                    case Kind.ObservedTotal or Kind.Last:
                        series.Value = value;
                        break;
                    case Kind.Histogram:
                        var bucket = 0;
                        while (bucket < _bounds.Length && value > _bounds[bucket])
                        {
                            bucket++;
                        }

                        series.Buckets[bucket]++;
                        series.Value += value;
                        series.Count++;
                        break;
                }
            }
        }

        public void Clear() => _series.Clear();

        public void WriteTo(PrometheusText text)
        {
            if (_series.IsEmpty)
            {
                return;
            }

            var type = _kind switch
            {
                Kind.Sum or Kind.ObservedTotal => "counter",
                Kind.Histogram => "histogram",
                _ => "gauge",
            };
            var help = string.IsNullOrWhiteSpace(_instrument.Description)
                ? $"{_instrument.Name} ({_instrument.Meter.Name})"
                : _instrument.Description;
            if (!text.Family(PrometheusName, type, help))
            {
                return;
            }

            foreach (var series in _series.Values.OrderBy(s => s.Key, StringComparer.Ordinal))
            {
                lock (series)
                {
                    if (_kind != Kind.Histogram)
                    {
                        text.Sample(PrometheusName, series.Labels, series.Value);
                        continue;
                    }

                    long cumulative = 0;
                    for (var i = 0; i <= _bounds.Length; i++)
                    {
                        cumulative += series.Buckets[i];
                        var le = i < _bounds.Length ? PrometheusText.Format(_bounds[i]) : "+Inf";
                        text.Sample(PrometheusName + "_bucket", [.. series.Labels, new("le", le)], cumulative);
                    }

                    text.Sample(PrometheusName + "_sum", series.Labels, series.Value);
                    text.Sample(PrometheusName + "_count", series.Labels, series.Count);
                }
            }
        }
    }

    private sealed class Series(KeyValuePair<string, string>[] labels, int buckets)
    {
        public KeyValuePair<string, string>[] Labels { get; } = labels;

        public string Key { get; } = string.Join(',', labels.Select(l => l.Key + "=" + l.Value));

        public long[] Buckets { get; } = new long[buckets];

        public double Value { get; set; }

        public long Count { get; set; }
    }
}

/// <summary>Creates the collector as the host starts, before anything else runs, so it sees every measurement from the first request on.</summary>
public sealed class MetricsStart(MetricsCollector collector) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken)
    {
        _ = collector;
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
