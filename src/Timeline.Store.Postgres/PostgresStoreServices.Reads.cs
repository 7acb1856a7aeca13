namespace Timeline.Store.Postgres;

public static partial class PostgresStoreServices
{
    /// <summary>
    /// The list and record reads: pages of events and one event, exports, neighbours, former ids and category counts (their
    /// text filter is the search area's SQL, <see cref="PostgresSearchSql"/>).
    /// </summary>
    private static IServiceCollection AddPostgresReads(this IServiceCollection services)
    {
        services.AddSingleton<IEventPages, PostgresEventPages>();
        services.AddSingleton<IEventDetails, PostgresEventDetails>();
        services.AddSingleton<IEventExports, PostgresEventExports>();
        services.AddSingleton<IEventNeighbours, PostgresEventNeighbours>();
        services.AddSingleton<IFormerIds, PostgresFormerIds>();
        services.AddSingleton<ICategoryCounts, PostgresCategoryCounts>();
        return services;
    }
}
