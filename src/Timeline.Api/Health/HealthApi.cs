using Microsoft.AspNetCore.Http.HttpResults;
using Timeline.Store.Sqlite;

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

    public static async Task<Results<Ok<HealthStatus>, ProblemHttpResult>> Ready(SqliteConnections database, StoreSpace space, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (space.Current() is { } shortage)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "Store out of space",
                detail: $"A change failed for want of storage space at {shortage.At:yyyy-MM-ddTHH:mm:ssZ}; writes are refused until the store's volume has room again (reads are served meanwhile).");
        }

        try
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            var version = await Migrator.CurrentVersionAsync(connection, cancellationToken);
            if (version == Migrator.LatestVersion)
            {
                // The tables answer, not only the schema table.
                await Dapper.SqlMapper.ExecuteScalarAsync<long>(connection, new Dapper.CommandDefinition(
                    "SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM events LIMIT 1)) + (SELECT COUNT(*) FROM (SELECT 1 FROM sources LIMIT 1));",
                    cancellationToken: cancellationToken));
                return TypedResults.Ok(new HealthStatus("ready", version));
            }

            return TypedResults.Problem(
                statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "Store not ready",
                detail: $"The store is at schema version {version}; this build expects {Migrator.LatestVersion}.");
        }
        catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or InvalidOperationException or IOException)
        {
            loggers.CreateLogger("Timeline.Api.Health").LogError(ex, "Readiness check failed");
            return TypedResults.Problem(
                statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "Store not ready",
                detail: "The store did not answer.");
        }
    }
}
