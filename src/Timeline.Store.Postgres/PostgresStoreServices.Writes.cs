namespace Timeline.Store.Postgres;

public static partial class PostgresStoreServices
{
    private static IServiceCollection AddPostgresWrites(this IServiceCollection services)
    {
        return services;
    }
}
