using System.Net;
using System.Text.Json.Nodes;
using Timeline.Model.Dataset;
using Xunit.Abstractions;

namespace Timeline.Api.Tests;

/// <summary>
/// Issue 18.6: events point at related events and at the event they supersede; the linked events show the inverse
/// (relatedFrom, supersededBy); links are validated (ids exist, no self-reference, no cycle of supersedes); deleting a
/// linked event is refused naming the events that link to it; links travel through export and import.
/// </summary>
public class EventLinkTests(TimelineApp fixture, ITestOutputHelper output) : IClassFixture<TimelineApp>
{
    private const string Listing = "smic-added-to-us-sanctions-list";
    private const string Sanctions = "us-sanctions-cut-huawei-from-chip-supply-chains";
    private const string Charlotte = "huawei-strikes-charlotte-deal-with-smic";

    private readonly TimelineApp _app = fixture.LoggingTo(output);
    private readonly HttpClient _editor = fixture.CreateClient(TimelineApp.EditorKey);
    private readonly HttpClient _anonymous = fixture.CreateClient();

    private static JsonObject Linked(string id, JsonArray? related = null, string? supersedes = null)
    {
        var body = Curation.NewEvent(id, $"A test event {id} about links");
        body["summary"] = $"Nothing in particular happened in {id}.";
        if (related is not null)
        {
            body["related"] = related;
        }

        if (supersedes is not null)
        {
            body["supersedes"] = supersedes;
        }

        return body;
    }

    [Fact]
    public async Task Related_and_supersedes_are_stored_and_shown_with_their_inverse_on_the_linked_events()
    {
        using var created = await _editor.SendJsonAsync(HttpMethod.Post, "/events", Linked("links-correction", new JsonArray(Sanctions, Charlotte), Listing));

        await created.AssertStatusAsync(HttpStatusCode.Created);
        var body = await created.BodyAsync();
        Assert.Equal([Sanctions, Charlotte], body.GetProperty("related").EnumerateArray().Select(x => x.GetString()));
        Assert.Equal(Listing, body.GetProperty("supersedes").GetString());
        Assert.Empty(body.GetProperty("relatedFrom").EnumerateArray());
        Assert.Empty(body.GetProperty("supersededBy").EnumerateArray());

        var old = await _anonymous.GetJsonAsync($"/events/{Listing}");
        Assert.Contains("links-correction", old.GetProperty("supersededBy").EnumerateArray().Select(x => x.GetString()));
        Assert.Contains("links-correction", (await _anonymous.GetJsonAsync($"/events/{Charlotte}")).GetProperty("relatedFrom").EnumerateArray().Select(x => x.GetString()));
        var document = (await _anonymous.GetJsonAsync("/events/links-correction/revisions/1")).GetProperty("document");
        Assert.Equal(Listing, document.GetProperty("supersedes").GetString());
        Assert.Equal(2, document.GetProperty("related").GetArrayLength());

        // Dropping the links (merge-patch null) drops the inverse too.
        using var patched = await _editor.SendJsonAsync(HttpMethod.Patch, "/events/links-correction",
            new JsonObject { ["related"] = null, ["supersedes"] = null }, created.Headers.ETag!.ToString(), "application/merge-patch+json");
        await patched.AssertStatusAsync(HttpStatusCode.OK);
        Assert.DoesNotContain("links-correction", (await _anonymous.GetJsonAsync($"/events/{Listing}")).GetProperty("supersededBy").EnumerateArray().Select(x => x.GetString()));
        Assert.False((await patched.BodyAsync()).TryGetProperty("supersedes", out var gone) && gone.ValueKind != System.Text.Json.JsonValueKind.Null);
    }

    [Fact]
    public async Task Links_to_unknown_events_to_the_event_itself_or_twice_are_422s_naming_the_field()
    {
        using var unknown = await _editor.SendJsonAsync(HttpMethod.Post, "/events", Linked("links-unknown", new JsonArray("no-such-event"), "nor-this-one"));
        await unknown.AssertStatusAsync(HttpStatusCode.UnprocessableEntity);
        var errors = (await unknown.BodyAsync()).GetProperty("errors");
        Assert.Contains("unknown event 'no-such-event'", errors.GetProperty("related[0]")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("unknown event 'nor-this-one'", errors.GetProperty("supersedes")[0].GetString(), StringComparison.Ordinal);

        using var self = await _editor.SendJsonAsync(HttpMethod.Post, "/events", Linked("links-self", new JsonArray("links-self", Listing, Listing), "links-self"));
        await self.AssertStatusAsync(HttpStatusCode.UnprocessableEntity);
        var selfErrors = (await self.BodyAsync()).GetProperty("errors");
        Assert.Contains("own id", selfErrors.GetProperty("related[0]")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("listed twice", selfErrors.GetProperty("related[2]")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("cannot supersede itself", selfErrors.GetProperty("supersedes")[0].GetString(), StringComparison.Ordinal);
        await _anonymous.GetProblemAsync("/events/links-self", HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_chain_of_supersedes_that_comes_back_is_refused_as_a_cycle()
    {
        using var first = await _editor.SendJsonAsync(HttpMethod.Post, "/events", Linked("links-cycle-a"));
        await first.AssertStatusAsync(HttpStatusCode.Created);
        using var second = await _editor.SendJsonAsync(HttpMethod.Post, "/events", Linked("links-cycle-b", supersedes: "links-cycle-a"));
        await second.AssertStatusAsync(HttpStatusCode.Created);
        using var third = await _editor.SendJsonAsync(HttpMethod.Post, "/events", Linked("links-cycle-c", supersedes: "links-cycle-b"));
        await third.AssertStatusAsync(HttpStatusCode.Created);

        using var cycle = await _editor.SendJsonAsync(HttpMethod.Patch, "/events/links-cycle-a",
            new JsonObject { ["supersedes"] = "links-cycle-c" }, first.Headers.ETag!.ToString(), "application/merge-patch+json");

        await cycle.AssertStatusAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("links-cycle-a supersedes links-cycle-c supersedes links-cycle-b supersedes links-cycle-a",
            (await cycle.BodyAsync()).GetProperty("errors").GetProperty("supersedes")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deleting_an_event_that_others_link_to_is_a_409_naming_them_until_they_let_go()
    {
        using var target = await _editor.SendJsonAsync(HttpMethod.Post, "/events", Linked("links-target"));
        await target.AssertStatusAsync(HttpStatusCode.Created);
        using var linker = await _editor.SendJsonAsync(HttpMethod.Post, "/events", Linked("links-linker", new JsonArray("links-target")));
        await linker.AssertStatusAsync(HttpStatusCode.Created);

        using var refused = await _editor.SendJsonAsync(HttpMethod.Delete, "/events/links-target", null, target.Headers.ETag!.ToString());

        await refused.AssertStatusAsync(HttpStatusCode.Conflict);
        var problem = await refused.BodyAsync();
        Assert.Equal(["links-linker"], problem.GetProperty("events").EnumerateArray().Select(x => x.GetString()));
        Assert.Contains("links-linker", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        using var unlinked = await _editor.SendJsonAsync(HttpMethod.Delete, "/events/links-linker", null, linker.Headers.ETag!.ToString());
        await unlinked.AssertStatusAsync(HttpStatusCode.NoContent);
        using var deleted = await _editor.SendJsonAsync(HttpMethod.Delete, "/events/links-target", null, await _anonymous.ETagAsync("/events/links-target"));
        await deleted.AssertStatusAsync(HttpStatusCode.NoContent);

        // The linker cannot come back while the event it links to is deleted.
        using var restore = await _editor.SendJsonAsync(HttpMethod.Post, "/events/links-linker/restore", null);
        await restore.AssertStatusAsync(HttpStatusCode.Conflict);
        Assert.Contains("event links-target", (await restore.BodyAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Links_travel_through_export_and_into_an_empty_store_by_the_bulk_writer()
    {
        using var created = await _editor.SendJsonAsync(HttpMethod.Post, "/events", Linked("links-exported", new JsonArray(Charlotte), Listing));
        await created.AssertStatusAsync(HttpStatusCode.Created);
        var export = JsonNode.Parse(await _anonymous.GetStringAsync("/export"))!.AsObject();
        var exported = export["events"]!.AsArray().Single(e => e!["id"]!.GetValue<string>() == "links-exported")!;
        Assert.Equal(Listing, exported["supersedes"]!.GetValue<string>());

        // Seeding a new store from the export writes every event with the bulk writer.
        using var copy = TimelineApp.WithDataset(SyntheticDataset.Write(export)).LoggingTo(output);
        using var reader = copy.CreateClient();
        var detail = await reader.GetJsonAsync("/events/links-exported");
        Assert.Equal([Charlotte], detail.GetProperty("related").EnumerateArray().Select(x => x.GetString()));
        Assert.Equal(Listing, detail.GetProperty("supersedes").GetString());
        Assert.Contains("links-exported", (await reader.GetJsonAsync($"/events/{Listing}")).GetProperty("supersededBy").EnumerateArray().Select(x => x.GetString()));
        Assert.Equal(await _anonymous.GetStringAsync("/events/links-exported/revisions/1").ContinueWith(t => JsonNode.Parse(t.Result)!["document"]!.ToJsonString()),
            JsonNode.Parse(await reader.GetStringAsync("/events/links-exported/revisions/1"))!["document"]!.ToJsonString());
    }

    [Fact]
    public async Task An_import_may_link_to_stored_events_and_is_refused_whole_for_an_unknown_or_cyclic_link()
    {
        using var admin = _app.CreateClient(TimelineApp.AdminKey);
        var imported = Linked("links-imported", new JsonArray(Charlotte), Listing);
        var dataset = new JsonObject { ["sources"] = new JsonArray(), ["entities"] = new JsonArray(), ["events"] = new JsonArray(imported) };

        using var response = await admin.SendJsonAsync(HttpMethod.Post, "/import", dataset);

        await response.AssertStatusAsync(HttpStatusCode.OK);
        Assert.Contains("links-imported", (await _anonymous.GetJsonAsync($"/events/{Listing}")).GetProperty("supersededBy").EnumerateArray().Select(x => x.GetString()));

        // The stored chain counts: an imported Listing superseding links-imported would close a cycle.
        var listing = JsonNode.Parse((await _anonymous.GetJsonAsync($"/events/{Listing}/revisions/1")).GetProperty("document").GetRawText())!.AsObject();
        listing["supersedes"] = "links-imported";
        var cyclic = new JsonObject { ["sources"] = new JsonArray(), ["entities"] = new JsonArray(), ["events"] = new JsonArray(listing, Linked("links-dangling", new JsonArray("no-such-event"))) };
        using var refused = await admin.SendJsonAsync(HttpMethod.Post, "/import", cyclic);

        await refused.AssertStatusAsync(HttpStatusCode.UnprocessableEntity);
        var detail = (await refused.BodyAsync()).GetRawText();
        Assert.Contains($"{Listing} supersedes links-imported supersedes {Listing}", detail, StringComparison.Ordinal);
        Assert.Contains("unknown event 'no-such-event'", detail, StringComparison.Ordinal);
        await _anonymous.GetProblemAsync("/events/links-dangling", HttpStatusCode.NotFound);
    }

    [Fact]
    public void A_dataset_is_checked_whole_unknown_targets_and_cycles_of_supersedes_are_errors()
    {
        static EventDocument Event(string id, string? supersedes = null, List<string>? related = null) => new()
        {
            Id = id, Date = "2020", Title = "t", Summary = "s", Category = "analysis",
            Citations = [new CitationDocument { Source = "s", Quote = "text" }],
            Supersedes = supersedes, Related = related,
        };

        var source = new SourceDocument { Id = "s", Title = "s", Text = "some text" };
        var cyclic = new DatasetDocument { Sources = [source], Entities = [], Events = [Event("a", "b"), Event("b", "c"), Event("c", "a", ["missing"])] };

        Assert.Null(DatasetValidator.Validate(cyclic, out var errors));
        Assert.Contains(errors, e => e.Path == "events 'a'.supersedes" && e.Message.Contains("a supersedes b supersedes c supersedes a", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Path == "events 'c'.related[0]" && e.Message.Contains("unknown event 'missing'", StringComparison.Ordinal));

        // A target in the store counts; a chain through the store counts too.
        var linked = new DatasetDocument { Sources = [source], Entities = [], Events = [Event("x", "stored", ["stored-too"])] };
        var store = new StoreLookup(_ => null, _ => false) { EventExists = id => id is "stored" or "stored-too", StoredSupersedes = id => id == "stored" ? "x" : null };
        Assert.Null(DatasetValidator.Validate(linked, store, out var throughStore));
        Assert.Contains(throughStore, e => e.Path == "events 'x'.supersedes" && e.Message.Contains("x supersedes stored supersedes x", StringComparison.Ordinal));
        Assert.NotNull(DatasetValidator.Validate(linked, store with { StoredSupersedes = _ => null }, out _));
    }
}
