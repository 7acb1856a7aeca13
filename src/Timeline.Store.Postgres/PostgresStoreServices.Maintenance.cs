using System.Diagnostics.Metrics;
using Timeline.Model.Store.Engine;

namespace Timeline.Store.Postgres;

public static partial class PostgresStoreServices
{
    /// <summary>
    /// Telemetry (the store's meter with engine="postgres", statement activities), health and readiness, statistics, and
    /// backups (the database's own: the API refuses them with the commands to use).
    /// </summary>
    private static IServiceCollection AddPostgresMaintenance(this IServiceCollection services)
    {
        services.AddSingleton(sp => new StoreMetrics(sp.GetRequiredService<IMeterFactory>(), TimelineOptions.StorePostgres, "postgresql"));
        services.AddSingleton<PostgresStatementTelemetry>();
        services.AddSingleton<IStoreHealth, PostgresStoreHealth>();
        services.AddSingleton<PostgresStoreStatistics>();
        services.AddSingleton<IStoreStatistics>(sp => sp.GetRequiredService<PostgresStoreStatistics>());
        services.AddSingleton<IStoreBackups, PostgresStoreBackups>();
        return services;
    }
}
