namespace Timeline.Store.Postgres;

public static partial class PostgresStoreServices
{
    private static IServiceCollection AddPostgresFacets(this IServiceCollection services)
    {
        return services;
    }
}
