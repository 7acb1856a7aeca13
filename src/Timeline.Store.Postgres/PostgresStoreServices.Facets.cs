namespace Timeline.Store.Postgres;

public static partial class PostgresStoreServices
{
    /// <summary>
    /// Facets (counted from the in-memory copy of the events, <see cref="PostgresDateCategoryIndex"/>), entities and
    /// sources with their event counts (kept per data version, <see cref="PostgresEventCounts"/>). Needs the reads'
    /// filter compiler and the search area's match condition (<see cref="PostgresSearchSql"/>).
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
