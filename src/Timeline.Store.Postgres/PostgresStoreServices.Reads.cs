namespace Timeline.Store.Postgres;

public static partial class PostgresStoreServices
{
    /// <summary>
    /// The list and record reads: pages of events and one event, exports, neighbours, former ids and category counts. The
    /// text filter of lists is the search area's (<see cref="IPostgresEventText"/>): a plain stand-in is registered here,
    /// which the search area's registration (after this one) replaces.
    /// </summary>
    private static IServiceCollection AddPostgresReads(this IServiceCollection services)
    {
        services.AddSingleton<IPostgresEventText, PostgresPlainEventText>();
        services.AddSingleton<IEventPages, PostgresEventPages>();
        services.AddSingleton<IEventDetails, PostgresEventDetails>();
        services.AddSingleton<IEventExports, PostgresEventExports>();
        services.AddSingleton<IEventNeighbours, PostgresEventNeighbours>();
        services.AddSingleton<IFormerIds, PostgresFormerIds>();
        services.AddSingleton<ICategoryCounts, PostgresCategoryCounts>();
        return services;
    }
}
