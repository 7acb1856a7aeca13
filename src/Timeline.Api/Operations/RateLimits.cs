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

        var client = context.User.Identity?.IsAuthenticated == true
            ? "key:" + context.User.Identity.Name
            : "ip:" + (context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
        var window = TimeSpan.FromSeconds(limits.WindowSeconds);
        return RateLimitPartition.GetFixedWindowLimiter(
            (write ? "write|" : "read|") + client,
            _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = window, QueueLimit = 0, AutoReplenishment = true });
    }

    private static async ValueTask RejectAsync(HttpContext context, RateLimitLease lease, RateLimitOptions limits, OperationsMetrics metrics)
    {
        var write = EdgeGuards.IsWrite(context.Request.Method);
        metrics.RateLimitRejections.Add(1, new KeyValuePair<string, object?>("kind", write ? "write" : "read"));

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
