using Microsoft.AspNetCore.Http.HttpResults;

namespace Timeline.Api.Health;

/// <summary>The answer of a health probe.</summary>
/// <param name="Status">live, ready.</param>
/// <param name="SchemaVersion">The store's schema version (readiness only).</param>
public sealed record HealthStatus(string Status, int? SchemaVersion = null);

public static class HealthApi
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/health").WithTags("Health");

        group.MapGet("/live", Live)
            .WithName("Live")
            .WithSummary("Liveness probe")
            .WithDescription("200 while the process is up and serving HTTP. It does not touch the store.");

        group.MapGet("/ready", Ready)
            .WithName("Ready")
            .WithSummary("Readiness probe")
            .WithDescription("200 when the store answers a query, is at the schema version this build expects, and has room to write; 503 with a problem otherwise (a store that ran out of space is reported until its volume has room again).")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        return routes;
    }

    public static Ok<HealthStatus> Live() => TypedResults.Ok(new HealthStatus("live"));

    public static async Task<Results<Ok<HealthStatus>, ProblemHttpResult>> Ready(IStoreHealth store, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (store.CurrentShortage() is { } shortage)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "Store out of space",
                detail: $"A change failed for want of storage space at {shortage.At:yyyy-MM-ddTHH:mm:ssZ}; writes are refused until the store's volume has room again (reads are served meanwhile).");
        }

        switch (await store.CheckAsync(cancellationToken))
        {
            case StoreReadiness.Ready ready:
                return TypedResults.Ok(new HealthStatus("ready", ready.SchemaVersion));
            case StoreReadiness.WrongSchema wrong:
                return TypedResults.Problem(
                    statusCode: StatusCodes.Status503ServiceUnavailable,
                    title: "Store not ready",
                    detail: $"The store is at schema version {wrong.SchemaVersion}; this build expects {wrong.Expected}.");
            case StoreReadiness.Unreachable unreachable:
                loggers.CreateLogger("Timeline.Api.Health").LogError(unreachable.Reason, "Readiness check failed");
                return TypedResults.Problem(
                    statusCode: StatusCodes.Status503ServiceUnavailable,
                    title: "Store not ready",
                    detail: "The store did not answer.");
            default:
                throw new InvalidOperationException("unknown readiness");
        }
    }
}
