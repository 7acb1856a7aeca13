using System.Diagnostics.Metrics;

namespace Timeline.Api.Operations;

/// <summary>The API's own instruments, on the "Timeline.Api" meter; ASP.NET Core's meters cover the requests, and the store's are on <see cref="Timeline.Model.Store.StoreTelemetry.MeterName"/>.</summary>
public sealed class OperationsMetrics
{
    public const string MeterName = "Timeline.Api";

    public OperationsMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        RateLimitRejections = meter.CreateCounter<long>(
            "timeline.rate_limit.rejections",
            unit: "{request}",
            description: "Requests refused with 429 because their client went over its rate limit, by kind (read or write).");
    }

    public Counter<long> RateLimitRejections { get; }

}
