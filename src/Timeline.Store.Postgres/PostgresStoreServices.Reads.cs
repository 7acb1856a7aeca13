namespace Timeline.Store.Postgres;

public static partial class PostgresStoreServices
{
    private static IServiceCollection AddPostgresReads(this IServiceCollection services)
    {
        return services;
    }
}
