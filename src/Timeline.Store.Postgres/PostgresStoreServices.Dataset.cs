namespace Timeline.Store.Postgres;

public static partial class PostgresStoreServices
{
    private static IServiceCollection AddPostgresDataset(this IServiceCollection services)
    {
        return services;
    }
}
