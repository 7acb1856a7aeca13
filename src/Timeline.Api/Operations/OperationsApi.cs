using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Timeouts;
using Timeline.Api.Auth;
using Timeline.Api.OpenApi;

namespace Timeline.Api.Operations;

/// <summary>What is running and what it serves.</summary>
/// <param name="Version">The build's version.</param>
/// <param name="Commit">The git commit it was built from, or "unknown".</param>
/// <param name="Runtime">The .NET runtime.</param>
/// <param name="SchemaVersion">The schema version of the store.</param>
/// <param name="ExpectedSchemaVersion">The schema version this build migrates the store to.</param>
/// <param name="DataVersion">Grows with every change to the data; ETags derive from it.</param>
/// <param name="DataUpdatedAt">When the data last changed (UTC, ISO 8601).</param>
/// <param name="Counts">How many events, entities, sources and citations the store holds.</param>
public sealed record VersionInfo(
    string Version,
    string Commit,
    string Runtime,
    int SchemaVersion,
    int ExpectedSchemaVersion,
    long DataVersion,
    string DataUpdatedAt,
    StoreCounts Counts);

public static class OperationsApi
{
    public static IEndpointRouteBuilder MapOperations(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/version", GetVersion)
            .WithTags("Operations")
            .WithName("GetVersion")
            .WithSummary("The running build and the dataset it serves")
            .WithDescription("The build's version and git commit, the .NET runtime, the store's schema version (and the one this build expects), the data version and when the data last changed, and how many events, entities, sources and citations the store holds.");

        routes.MapGet("/metrics", GetMetrics)
            .WithTags("Operations")
            .WithName("GetMetrics")
            .WithSummary("Metrics in Prometheus text format")
            .WithDescription(
                """
                Counters, gauges and histograms from OpenTelemetry's Prometheus exporter, in the Prometheus text exposition
                format (0.0.4), or in OpenMetrics 1.0 when the scraper's Accept asks for `application/openmetrics-text`:
                requests by route template, method and status with their durations (`http_server_request_duration_seconds`),
                the store's statement durations by operation (`timeline_db_statement_duration_seconds`), rate-limit rejections
                (`timeline_rate_limit_rejections_total`), the records in the store (`timeline_store_records`), its file sizes,
                Kestrel connections and the .NET runtime (GC, memory, thread pool). Each series carries the meter it comes
                from as `otel_scope_name`; the store's series carry the engine as `engine` (`sqlite` or `postgres`). Never rate
                limited.
                """)
            .AlsoProduces("text/plain", "The Prometheus text exposition format, version 0.0.4.")
            .AlsoProduces("application/openmetrics-text", "OpenMetrics 1.0, when the Accept header asks for it.");

        routes.MapPost("/admin/backup", Backup)
            .RequireAuthorization(Roles.CanAdminister)
            .DisableRequestTimeout() // a large store takes as long as it takes; a client that goes away still cancels it
            .WithTags("Operations")
            .WithName("BackupStore")
            .WithSummary("Write a consistent copy of the store (admin)")
            .WithDescription("Writes a consistent, compact copy of the live store (SQLite VACUUM INTO, one read transaction, while the API goes on serving) into Timeline:BackupDirectory, named by the time, and answers with its name in that directory (never a server path), size, SHA-256 and what it holds. Needs an admin API key. Backups run one at a time; two asked for in the same tick of the clock get distinct names (the later one numbered). A backup the server's state refuses (the store's file is gone, the backup directory is a file or cannot be made) is a 409 problem; one that runs out of space is a 507 problem. Restore a copy with the `restore` command while the server is stopped. On PostgreSQL (Timeline:Store = postgres) backups are the database's own (pg_dump, base backups, point-in-time recovery): the endpoint answers a 501 problem that says so and names the commands (see the README).")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status501NotImplemented);

        return routes;
    }

    public static async Task<Ok<VersionInfo>> GetVersion(IStoreStatistics statistics, CancellationToken cancellationToken)
    {
        var store = await statistics.GetAsync(cancellationToken);
        return TypedResults.Ok(new VersionInfo(
            BuildInfo.Version,
            BuildInfo.Commit,
            BuildInfo.Runtime,
            store.SchemaVersion,
            statistics.ExpectedSchemaVersion,
            store.DataVersion,
            store.DataUpdatedAt,
            store.Counts));
    }

    // The scrape, written by the exporter (it sets the status, the content type and the body).
    public static Task GetMetrics(HttpContext context, PrometheusScrape scrape) => scrape.WriteAsync(context);

    public static async Task<Results<Ok<BackupResult>, ProblemHttpResult>> Backup(IStoreBackups backups, CancellationToken cancellationToken)
    {
        try
        {
            return TypedResults.Ok(await backups.BackupToDirectoryAsync(cancellationToken));
        }
        catch (StoreOperationUnsupportedException elsewhere)
        {
            // The engine's backups are its database's own (PostgreSQL): nothing the API can do, and nothing to retry.
            return TypedResults.Problem(statusCode: StatusCodes.Status501NotImplemented, title: "Backups are the database's own", detail: elsewhere.Message);
        }
        catch (StoreOperationException refused)
        {
            // A backup the store's state refuses (no store file, a name taken): the operator's to fix, not a fault.
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The backup was refused", detail: refused.Message);
        }
    }
}
