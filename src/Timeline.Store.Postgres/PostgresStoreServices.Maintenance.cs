namespace Timeline.Store.Postgres;

public static partial class PostgresStoreServices
{
    private static IServiceCollection AddPostgresMaintenance(this IServiceCollection services)
    {
        return services;
    }
}
