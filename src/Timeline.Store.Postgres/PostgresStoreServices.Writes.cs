namespace Timeline.Store.Postgres;

public static partial class PostgresStoreServices
{
    /// <summary>The write side: the history and change feed (<see cref="IRecordHistory"/>).</summary>
    private static IServiceCollection AddPostgresWrites(this IServiceCollection services)
    {
        services.AddSingleton<IRecordHistory, PostgresRecordHistory>();
        return services;
    }
}
