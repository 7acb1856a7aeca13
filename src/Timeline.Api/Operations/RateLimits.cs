using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Timeline.Api.Operations;

/// <summary>
/// Per-client fixed-window rate limits (Timeline:RateLimits), reads and writes counted apart. A client is the
/// name of its API key when it sends a valid one, otherwise its address (the peer's, or the one a trusted proxy
/// forwarded). Over the limit, the answer is 429 with Retry-After (seconds until the window ends) and a problem.
/// Health probes and /metrics are never limited, so an orchestrator or a scraper cannot be locked out.
/// </summary>
public static class RateLimits
{
    private static readonly string[] Exempt = ["/health", "/metrics"];

    public static IServiceCollection AddTimelineRateLimits(this IServiceCollection services)
    {
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<OperationsOptions>, OperationsMetrics>((limiter, options, metrics) =>
        {
            var limits = options.Value.RateLimits;
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context => Partition(context, limits));
            limiter.OnRejected = (rejected, cancellationToken) => RejectAsync(rejected.HttpContext, rejected.Lease, limits, metrics);
        });
        return services;
    }

    /// <summary>Health probes and /metrics: never limited.</summary>
    public static bool IsExempt(PathString path) =>
        Exempt.Any(p => path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase));

    /// <summary>The limiter for a request: none for exempt paths and switched-off limits, else its client's window.</summary>
    public static RateLimitPartition<string> Partition(HttpContext context, RateLimitOptions limits)
    {
        if (IsExempt(context.Request.Path))
        {
            return RateLimitPartition.GetNoLimiter("exempt");
        }

        var write = EdgeGuards.IsWrite(context.Request.Method);
        var permits = write ? limits.WritesPerWindow : limits.ReadsPerWindow;
        if (permits <= 0)
        {
            return RateLimitPartition.GetNoLimiter("unlimited");
        }

        var client = ClientIdentity.Of(context);
        var window = TimeSpan.FromSeconds(limits.WindowSeconds);
        return RateLimitPartition.Get(
            (write ? "write|" : "read|") + client,
            _ => new ClientWindow(permits, window, TimeProvider.System));
    }

    private static async ValueTask RejectAsync(HttpContext context, RateLimitLease lease, RateLimitOptions limits, OperationsMetrics metrics)
    {
        var write = EdgeGuards.IsWrite(context.Request.Method);
        metrics.RateLimitRejections.Add(1, new KeyValuePair<string, object?>("kind", write ? "write" : "read"));

        // The seconds until this client's window starts again (ClientWindow says exactly), at least one.
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait)
            ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds))
            : limits.WindowSeconds;
        context.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        await Problem.WriteAsync(
            context,
            StatusCodes.Status429TooManyRequests,
            "Too many requests",
            $"This client may make {(write ? limits.WritesPerWindow : limits.ReadsPerWindow)} {(write ? "writes" : "reads")} every {limits.WindowSeconds} seconds; try again in {retryAfter} seconds.");
    }
}

/// <summary>
/// One client's fixed window: <c>permits</c> requests from the first request of a window until the window's
/// length has passed. Unlike System.Threading.RateLimiting's FixedWindowRateLimiter (whose refusals always say
/// "retry after the whole window"), a refusal here carries the time left until this client's window ends, which is
/// what Retry-After promises. A window starts at the client's first request after the previous one ended, so an
/// idle client holds no state that needs a timer; the partitioned limiter drops a window idle for a while.
/// </summary>
public sealed class ClientWindow(int permits, TimeSpan window, TimeProvider clock) : RateLimiter
{
    private readonly Lock _lock = new();
    private long _windowStarted = long.MinValue;
    private int _used;
    private long _refused;
    private long _granted;

    public override TimeSpan? IdleDuration
    {
        get
        {
            lock (_lock)
            {
                if (_windowStarted == long.MinValue)
                {
                    return TimeSpan.MaxValue;
                }

                var sinceEnd = clock.GetElapsedTime(_windowStarted) - window;
                return sinceEnd >= TimeSpan.Zero ? sinceEnd : null;
            }
        }
    }

    public override RateLimiterStatistics? GetStatistics()
    {
        lock (_lock)
        {
            return new RateLimiterStatistics
            {
                CurrentAvailablePermits = CurrentWindowOpen() ? permits - _used : permits,
                CurrentQueuedCount = 0,
                TotalFailedLeases = _refused,
                TotalSuccessfulLeases = _granted,
            };
        }
    }

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        lock (_lock)
        {
            if (!CurrentWindowOpen())
            {
                _windowStarted = clock.GetTimestamp();
                _used = 0;
            }

            if (permitCount == 0 ? _used < permits : _used + permitCount <= permits)
            {
                _used += permitCount;
                _granted++;
                return Lease.Granted;
            }

            _refused++;
            return new Lease(window - clock.GetElapsedTime(_windowStarted));
        }
    }

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
        ValueTask.FromResult(AttemptAcquireCore(permitCount));

    private bool CurrentWindowOpen() =>
        _windowStarted != long.MinValue && clock.GetElapsedTime(_windowStarted) < window;

    private sealed class Lease(TimeSpan? retryAfter) : RateLimitLease
    {
        public static readonly Lease Granted = new(null);

        public override bool IsAcquired => retryAfter is null;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            if (retryAfter is { } wait && metadataName == MetadataName.RetryAfter.Name)
            {
                metadata = wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
                return true;
            }

            metadata = null;
            return false;
        }
    }
}
