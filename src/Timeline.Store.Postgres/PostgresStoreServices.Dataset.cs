namespace Timeline.Store.Postgres;

public static partial class PostgresStoreServices
{
    /// <summary>
    /// The dataset side: the startup migration and seeding (a hosted service), and the whole dataset in and out
    /// (<see cref="IDatasetStore"/>: import, export, reseed).
    /// </summary>
    private static IServiceCollection AddPostgresDataset(this IServiceCollection services)
    {
        services.AddSingleton<PostgresStoreInitializer>();

        // First of every hosted service: the others may read the store as they start.
        services.Insert(0, ServiceDescriptor.Singleton<IHostedService>(sp => sp.GetRequiredService<PostgresStoreInitializer>()));
        services.AddSingleton<IDatasetStore, PostgresDatasetStore>();
        services.AddSingleton<IStoreCopy, PostgresStoreCopy>();
        return services;
    }
}
