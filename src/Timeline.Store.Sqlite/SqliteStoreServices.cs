using Timeline.Model.Store.Engine;

namespace Timeline.Store.Sqlite;

/// <summary>
/// The SQLite engine's services, registered behind the store contracts of Timeline.Model.Store. The API's composition
/// root calls <see cref="AddSqliteStore"/> and nothing else of this project; each area registers in its own file.
/// </summary>
public static partial class SqliteStoreServices
{
    /// <summary>The engine: connections, the data version, and every area's services (reads, writes, maintenance).</summary>
    public static IServiceCollection AddSqliteStore(this IServiceCollection services)
    {
        Dapper.DefaultTypeMap.MatchNamesWithUnderscores = true;
        services.AddSingleton<SqliteConnections>();
        services.AddSingleton<ReadSessions>();
        services.AddSingleton<DataVersionCache>();
        services.AddSingleton<IDataVersion>(sp => sp.GetRequiredService<DataVersionCache>());
        services.AddSingleton(sp => new StoreMetrics(sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), TimelineOptions.StoreSqlite, "sqlite"));
        services.AddSingleton<ConnectionHooks>();
        services.AddSqliteReads();
        services.AddSqliteWrites();
        services.AddSqliteMaintenance();
        return services;
    }

    /// <summary>Statistics, health, storage space, backups, and the store's part in starting and stopping the server.</summary>
    private static IServiceCollection AddSqliteMaintenance(this IServiceCollection services)
    {
        services.AddSingleton<StoreSpace>();
        services.AddSingleton<IStoreHealth, StoreHealth>();
        services.AddSingleton<IStoreStatistics, StoreStatistics>();
        services.AddSingleton<StoreBackups>();
        services.AddSingleton<IStoreBackups>(sp => sp.GetRequiredService<StoreBackups>());
        services.AddHostedService<StoreLifecycle>();
        return services;
    }
}
