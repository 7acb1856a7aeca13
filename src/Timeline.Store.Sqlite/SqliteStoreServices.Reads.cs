namespace Timeline.Store.Sqlite;

public static partial class SqliteStoreServices
{
    /// <summary>
    /// The read side of the store: pages of events and one event, exports, facets (with their in-memory copy of the events),
    /// search and its budget, category counts, entities and sources. Needs the store's connections, read sessions, data
    /// version cache and metrics registered.
    /// </summary>
    private static IServiceCollection AddSqliteReads(this IServiceCollection services)
    {
        services.AddSingleton<IEventPages, SqliteEventPages>();
        services.AddSingleton<IEventDetails, SqliteEventDetails>();
        services.AddSingleton<IEventExports, SqliteEventExports>();
        services.AddSingleton<DateCategoryIndex>();
        services.AddSingleton<IFacetCounter, SqliteFacetCounter>();
        services.AddSingleton<ISearchBudget, SearchBudget>();
        services.AddSingleton<ITimelineSearch, SqliteTimelineSearch>();
        services.AddSingleton<ICategoryCounts, SqliteCategoryCounts>();
        services.AddSingleton<IEntityReader, SqliteEntityReader>();
        services.AddSingleton<ISourceReader, SqliteSourceReader>();
        services.AddSingleton<IFormerIds, SqliteFormerIds>();
        services.AddSingleton<IEventNeighbours, SqliteEventNeighbours>();
        return services;
    }
}
