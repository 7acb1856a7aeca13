namespace Timeline.Store.Postgres;

public static partial class PostgresStoreServices
{
    /// <summary>
    /// Facets (counted from the in-memory copy of the events, <see cref="PostgresDateCategoryIndex"/>), entities and
    /// sources with their event counts (kept per data version, <see cref="PostgresEventCounts"/>). Uses the reads' filter
    /// compiler (<see cref="PostgresEventFilterSql"/>) and the search's matching (<see cref="PostgresSearchSql"/>).
    /// </summary>
    private static IServiceCollection AddPostgresFacets(this IServiceCollection services)
    {
        services.AddSingleton<PostgresDateCategoryIndex>();
        services.AddSingleton<IFacetCounter, PostgresFacetCounter>();
        services.AddSingleton<PostgresEventCounts>();
        services.AddSingleton<IEntityReader, PostgresEntityReader>();
        services.AddSingleton<ISourceReader, PostgresSourceReader>();
        return services;
    }
}
