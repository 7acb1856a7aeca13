using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;

namespace Timeline.Api.Tests;

/// <summary>
/// The write contracts of the store (IRecordWriter, IRecordHistory, IDatasetStore) as the engine implements them,
/// without HTTP: what each outcome carries, which the HTTP tests only see as status codes and headers.
/// </summary>
public class StoreWriteContractTests(TimelineApp app) : IClassFixture<TimelineApp>
{
    private static JsonObject Entity(string id, string name = "Contract Test Co.") => new()
    {
        ["id"] = id,
        ["name"] = name,
        ["kind"] = "company",
        ["country"] = "NL",
        ["aliases"] = new JsonArray(),
        ["description"] = null,
    };

    private IRecordWriter<EntityItem> Entities
    {
        get
        {
            _ = app.Server; // starts the host: migrations and seed
            return app.Services.GetRequiredService<IRecordWriter<EntityItem>>();
        }
    }

    [Fact]
    public void IfMatch_compares_the_record_version_only()
    {
        Assert.Null(IfMatch.Absent.Matches(3));
        Assert.True(IfMatch.Any.Matches(3));
        Assert.True(IfMatch.Tags(["\"7.1\"", "\"3.12\""]).Matches(3));
        Assert.False(IfMatch.Tags(["\"4.3\""]).Matches(3));
        Assert.False(IfMatch.Tags([]).Matches(3)); // an If-Match that cannot be read matches nothing
        Assert.False(IfMatch.Tags(["\"x.3\""]).Matches(3));
    }

    [Fact]
    public async Task A_record_goes_through_every_outcome()
    {
        var writes = Entities;
        Assert.Equal("entity", writes.Resource);

        var created = Assert.IsType<WriteOutcome<EntityItem>.Created>(await writes.CreateAsync(Entity("contract-co"), "tester", default));
        Assert.Equal("contract-co", created.Id);
        Assert.Equal("Contract Test Co.", created.Record.Name);
        Assert.Equal(1, created.Version);

        var taken = Assert.IsType<WriteOutcome<EntityItem>.Conflict>(await writes.CreateAsync(Entity("contract-co"), "tester", default));
        Assert.Equal(new WriteConflict.IdTaken("contract-co"), taken.Reason);

        Assert.IsType<WriteOutcome<EntityItem>.PreconditionRequired>(await writes.ReplaceAsync("contract-co", Entity("contract-co"), IfMatch.Absent, "tester", default));
        var stale = Assert.IsType<WriteOutcome<EntityItem>.PreconditionFailed>(await writes.ReplaceAsync("contract-co", Entity("contract-co"), IfMatch.Tags(["\"9.1\""]), "tester", default));
        Assert.Equal(1, stale.CurrentVersion);

        // The same document again: no new version, and the data version does not move.
        var unchanged = Assert.IsType<WriteOutcome<EntityItem>.Unchanged>(await writes.ReplaceAsync("contract-co", Entity("contract-co"), IfMatch.Any, "tester", default));
        Assert.Equal(1, unchanged.Version);
        Assert.Equal(created.DataVersion, unchanged.DataVersion);

        var updated = Assert.IsType<WriteOutcome<EntityItem>.Updated>(await writes.MergePatchAsync("contract-co", new JsonObject { ["name"] = "Renamed Co." }, IfMatch.Tags([$"\"1.{created.DataVersion}\""]), "tester", default));
        Assert.Equal(2, updated.Version);
        Assert.Equal("Renamed Co.", updated.Record.Name);
        Assert.True(updated.DataVersion > created.DataVersion);

        var invalid = Assert.IsType<WriteOutcome<EntityItem>.Invalid>(await writes.ReplaceAsync("contract-co", new JsonObject { ["name"] = "", ["kind"] = "planet", ["nonsense"] = 1 }, IfMatch.Any, "tester", default));
        Assert.Contains("kind", invalid.Errors.Keys);
        Assert.Contains("nonsense", invalid.Errors.Keys);

        Assert.IsType<WriteOutcome<EntityItem>.Conflict>(await writes.RestoreAsync("contract-co", IfMatch.Absent, "tester", default));
        var deleted = Assert.IsType<WriteOutcome<EntityItem>.Deleted>(await writes.DeleteAsync("contract-co", IfMatch.Any, "tester", default));
        Assert.Equal(3, deleted.Version);
        var gone = Assert.IsType<WriteOutcome<EntityItem>.Gone>(await writes.DeleteAsync("contract-co", IfMatch.Any, "tester", default));
        Assert.Equal("tester", gone.DeletedBy);
        var restored = Assert.IsType<WriteOutcome<EntityItem>.Updated>(await writes.RestoreAsync("contract-co", IfMatch.Absent, "tester", default));
        Assert.Equal(4, restored.Version);
        Assert.IsType<WriteOutcome<EntityItem>.NotFound>(await writes.DeleteAsync("no-such-entity-here", IfMatch.Any, "tester", default));

        var history = app.Services.GetRequiredService<IRecordHistory>();
        Assert.Equal(["create", "update", "delete", "restore"], (await history.RevisionsAsync("entity", "contract-co", default)).Select(r => r.Action));
        var first = await history.RevisionAsync("entity", "contract-co", 1, default);
        Assert.Equal("Contract Test Co.", first!.Document.GetProperty("name").GetString());
        Assert.Null(await history.RevisionAsync("entity", "contract-co", 99, default));
    }

    [Fact]
    public async Task The_change_feed_keeps_its_position_on_an_empty_page()
    {
        _ = app.Server;
        var history = app.Services.GetRequiredService<IRecordHistory>();
        var page = await history.ChangesAsync(long.MaxValue - 1, 10, default);
        Assert.Empty(page.Items);
        Assert.Equal(long.MaxValue - 1, page.Last);

        var firstTwo = await history.ChangesAsync(0, 2, default);
        Assert.Equal(2, firstTwo.Items.Count);
        var next = await history.ChangesAsync(firstTwo.Last, 1, default);
        Assert.NotEqual((firstTwo.Items[^1].Resource, firstTwo.Items[^1].Id, firstTwo.Items[^1].Version), (next.Items[0].Resource, next.Items[0].Id, next.Items[0].Version));
    }

    [Fact]
    public async Task An_import_reports_its_steps_and_an_export_snapshot_reads_what_it_wrote()
    {
        _ = app.Server;
        var store = app.Services.GetRequiredService<IDatasetStore>();
        var steps = new List<string>();
        var document = new DatasetDocument
        {
            Sources = [],
            Entities = [new EntityDocument { Id = "imported-contract-co", Name = "Imported Co.", Kind = "company", Country = "DE", Aliases = [] }],
            Events = [],
        };
        var result = await store.ImportAsync(document, "tester", default, new ImportProgress((_, _) => { }, steps.Add));
        Assert.Empty(result.Errors);
        Assert.Equal(new ImportCounts(1, 0, 0), result.Report!.Entities);
        Assert.Equal("validated", steps[0]);
        Assert.Equal("committed", steps[^1]);

        var invalid = await store.ImportAsync(document with { Entities = [new EntityDocument { Id = "bad co", Name = "", Kind = "planet" }] }, "tester", default);
        Assert.Null(invalid.Report);
        Assert.NotEmpty(invalid.Errors);

        await using var snapshot = await store.OpenSnapshotAsync(default);
        var entities = new List<string>();
        await foreach (var entity in snapshot.EntitiesAsync(default))
        {
            entities.Add(entity.Id!);
        }

        Assert.Contains("imported-contract-co", entities);
        Assert.Equal(entities.Order(StringComparer.Ordinal), entities);
    }
}
