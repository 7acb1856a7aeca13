using Microsoft.Extensions.DependencyInjection;
using Timeline.Model.Store;

namespace Timeline.Api.Tests;

/// <summary>
/// The read contracts (Timeline.Model.Store) as the API resolves them, and the promises the HTTP answers do not show
/// on their own.
/// </summary>
public sealed class ReadContractTests
{
    private static EventFilter All(int limit = 200, string? cursor = null) =>
        new(null, null, [], [], [], null, null, EventOrder.Date, limit, cursor);

    [Fact]
    public void The_api_resolves_each_read_contract_to_one_service_of_the_configured_engine()
    {
        using var app = new TimelineApp();
        var services = app.Services;
        Type[] contracts =
        [
            typeof(IEventPages), typeof(IEventDetails), typeof(IEventExports), typeof(IFacetCounter), typeof(ISearchBudget),
            typeof(ITimelineSearch), typeof(ICategoryCounts), typeof(IEntityReader), typeof(ISourceReader),
        ];
#if POSTGRES
        var (engine, other) = (typeof(Timeline.Store.Postgres.PostgresConnections).Assembly, typeof(SqliteConnections).Assembly);
#else
        var (engine, other) = (typeof(SqliteConnections).Assembly, typeof(Timeline.Store.Postgres.PostgresConnections).Assembly);
#endif
        foreach (var contract in contracts)
        {
            var service = services.GetRequiredService(contract);
            Assert.Same(service, services.GetRequiredService(contract));

            // The engine's own, or engine-neutral code both engines share (Timeline.Model.Store.Engine); never the other engine's.
            var assembly = service.GetType().Assembly;
            Assert.NotEqual(other, assembly);
            Assert.True(assembly == engine || assembly == typeof(IEventPages).Assembly, $"{contract.Name} resolves to {service.GetType().FullName}");
        }

#if !POSTGRES
        (Type Contract, Type Engine)[] expected =
        [
            (typeof(IEventPages), typeof(SqliteEventPages)),
            (typeof(IEventDetails), typeof(SqliteEventDetails)),
            (typeof(IEventExports), typeof(SqliteEventExports)),
            (typeof(IFacetCounter), typeof(SqliteFacetCounter)),
            (typeof(ISearchBudget), typeof(SearchBudget)),
            (typeof(ITimelineSearch), typeof(SqliteTimelineSearch)),
            (typeof(ICategoryCounts), typeof(SqliteCategoryCounts)),
            (typeof(IEntityReader), typeof(SqliteEntityReader)),
            (typeof(ISourceReader), typeof(SqliteSourceReader)),
        ];
        foreach (var (contract, type) in expected)
        {
            Assert.IsType(type, services.GetRequiredService(contract));
        }
#endif
    }

    [Fact]
    public async Task An_export_streams_every_event_whatever_the_filters_limit_and_cursor()
    {
        using var app = new TimelineApp();
        _ = app.Services; // starts the host, which loads the seed
        var pages = app.Services.GetRequiredService<IEventPages>();
        var exports = app.Services.GetRequiredService<IEventExports>();

        var listed = new List<string>();
        TimelinePosition? after = null;
        do
        {
            var (items, next) = await pages.ListAsync(All(limit: 7), after, CancellationToken.None);
            listed.AddRange(items.Select(e => e.Id));
            after = next;
        }
        while (after is not null);

        var exported = new List<string>();
        await foreach (var item in exports.StreamAsync(All(limit: 1, cursor: "not-a-cursor"), CancellationToken.None))
        {
            exported.Add(item.Event.Id);
        }

        Assert.True(listed.Count > 7);
        Assert.Equal(listed, exported);
    }

    [Fact]
    public async Task Unknown_ids_are_neither_found_nor_deleted_and_missing_references_name_them_in_order()
    {
        using var app = new TimelineApp();
        _ = app.Services;
        Assert.Equal(default, await app.Services.GetRequiredService<IEventDetails>().GetAsync("no-such-event", CancellationToken.None));
        Assert.Equal(default, await app.Services.GetRequiredService<IEntityReader>().GetAsync("no-such-entity", CancellationToken.None));
        Assert.Equal(default, await app.Services.GetRequiredService<ISourceReader>().GetAsync("no-such-source", CancellationToken.None));

        var entity = (await app.Services.GetRequiredService<IEntityReader>().ListAsync(null, null, CancellationToken.None))[0].Id;
        var (missing, sourceMissing) = await app.Services.GetRequiredService<IEventPages>().MissingReferencesAsync(
            ["zz-unknown", entity, "aa-unknown"], "no-such-source", CancellationToken.None);
        Assert.Equal(["zz-unknown", "aa-unknown"], missing);
        Assert.True(sourceMissing);
    }

    [Fact]
    public async Task Year_counts_stay_within_the_date_filter_most_events_first()
    {
        using var app = new TimelineApp();
        _ = app.Services;
        var counter = app.Services.GetRequiredService<IFacetCounter>();
        var filter = All() with { From = PartialDate.Parse("2019-06"), To = PartialDate.Parse("2021") };
        var tally = await counter.CountAsync(filter, [FacetNames.Year, FacetNames.Category], 50, CancellationToken.None);
        Assert.NotEmpty(tally.Years);
        Assert.All(tally.Years, y => Assert.InRange(y.Year, 2019, 2021));
        Assert.Equal(tally.Years.OrderByDescending(y => y.Count).ThenBy(y => y.Year), tally.Years);
        Assert.Equal([FacetNames.Category], tally.Values.Keys);
        Assert.All(tally.Values[FacetNames.Category], c => Assert.True(c.Count > 0));
    }
}
