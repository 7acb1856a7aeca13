using Timeline.Api.Entities;
using Timeline.Api.Events;
using Timeline.Api.Listing;
using Timeline.Api.Paging;
using Timeline.Api.Sources;
using Timeline.Store.Postgres;
using Timeline.Store.Sqlite;

namespace Timeline.Api;

/// <summary>The services of the timeline's features and its store.</summary>
public static class TimelineServices
{
    public static IServiceCollection AddTimelineStore(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<TimelineOptions>(configuration.GetSection(TimelineOptions.Section));
        services.AddSingleton(TimeProvider.System);
        var options = configuration.GetSection(TimelineOptions.Section).Get<TimelineOptions>() ?? new TimelineOptions();
        if (options.UsesPostgres)
        {
            services.AddPostgresStore();
        }
        else
        {
            services.AddSqliteStore();
        }

        return services;
    }

    public static IServiceCollection AddTimelineFeatures(this IServiceCollection services)
    {
        services.AddSingleton<CursorCodec>();
        services.AddSingleton<EventPageService>();
        services.AddSingleton<Matching.EntityMatching>();
        services.AddSingleton<EventFacets>();
        services.AddSingleton<Exports.ExportGate>();
        Exports.ExportSlots.AddExportOpenApi(services);
        services.AddSingleton<Caching.ResponseCache>();
        return services;
    }
}
