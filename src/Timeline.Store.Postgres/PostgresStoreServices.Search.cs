namespace Timeline.Store.Postgres;

public static partial class PostgresStoreServices
{
    private static IServiceCollection AddPostgresSearch(this IServiceCollection services)
    {
        services.AddSingleton<ISearchBudget, PostgresSearchBudget>();
        services.AddSingleton<ITimelineSearch, PostgresTimelineSearch>();
        return services;
    }
}
