namespace Timeline.Store.Postgres;

public static partial class PostgresStoreServices
{
    private static IServiceCollection AddPostgresSearch(this IServiceCollection services)
    {
        return services;
    }
}
