using Timeline.Api.Entities;
using Timeline.Api.Events;
using Timeline.Api.Paging;
using Timeline.Api.Sources;
using Timeline.Store.Sqlite;

namespace Timeline.Api;

/// <summary>The services of the timeline's features and its store.</summary>
public static class TimelineServices
{
    public static IServiceCollection AddTimelineStore(this IServiceCollection services, IConfiguration configuration)
    {
        Dapper.DefaultTypeMap.MatchNamesWithUnderscores = true;
        services.Configure<TimelineOptions>(configuration.GetSection(TimelineOptions.Section));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<SqliteConnections>();
        services.AddSingleton<ReadSessions>();
        services.AddSingleton<StoreInitializer>();
        services.AddHostedService(sp => sp.GetRequiredService<StoreInitializer>());
        return services;
    }

    public static IServiceCollection AddTimelineFeatures(this IServiceCollection services)
    {
        services.AddSqliteReads();
        services.AddSingleton<CursorCodec>();
        services.AddSingleton<EventPageService>();
        services.AddSingleton<EventFacets>();
        services.AddSingleton<Exports.ExportGate>();
        Exports.ExportSlots.AddExportOpenApi(services);
        services.AddSingleton<DataVersionCache>();
        services.AddSingleton<StoreSpace>();
        services.AddSingleton<Caching.ResponseCache>();
        services.AddSingleton<Curation.RecordWrites>();
        services.AddSingleton<Curation.DatasetImporter>();
        services.AddSingleton<Curation.RecordKind<EventDetail>, Curation.EventKind>();
        services.AddSingleton<Curation.RecordKind<EntityItem>, Curation.EntityKind>();
        services.AddSingleton<Curation.RecordKind<SourceDetail>, Curation.SourceKind>();
        return services;
    }
}
