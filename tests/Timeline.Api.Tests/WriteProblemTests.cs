using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Timeline.Api.Tests;

/// <summary>
/// The exact problem of every refused write (status, title, detail, extensions, Location), for the refusals the
/// other curation tests check only by status: the API builds them from the store's typed write outcomes.
/// </summary>
public class WriteProblemTests(TimelineApp app) : IClassFixture<TimelineApp>
{
    private readonly HttpClient _editor = app.CreateClient(TimelineApp.EditorKey);

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status, string title, string? detail = null)
    {
        await response.AssertStatusAsync(status);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.BodyAsync();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.Equal(title, problem.GetProperty("title").GetString());
        if (detail is not null)
        {
            Assert.Equal(detail, problem.GetProperty("detail").GetString());
        }

        return problem;
    }

    [Fact]
    public async Task Every_refusal_says_what_stopped_it()
    {
        var entity = new JsonObject { ["id"] = "pin-co", ["name"] = "Pin Co.", ["kind"] = "company", ["country"] = "NL", ["aliases"] = new JsonArray(), ["description"] = null };
        (await _editor.SendJsonAsync(HttpMethod.Post, "/entities", entity)).EnsureSuccessStatusCode();
        var source = new JsonObject { ["id"] = "pin-source", ["title"] = "Pin Co. statement", ["publisher"] = "Pin Co.", ["author"] = null, ["publishedDate"] = "2023-09", ["url"] = "https://example.com/pin", ["text"] = "Pin Co. said in September 2023 that it would stop its exports.", ["notes"] = new JsonArray() };
        (await _editor.SendJsonAsync(HttpMethod.Post, "/sources", source)).EnsureSuccessStatusCode();
        var @event = Curation.NewEvent("pin-event");
        @event["entities"] = new JsonArray(new JsonObject { ["id"] = "pin-co", ["role"] = "subject" });
        @event["citations"] = new JsonArray(new JsonObject { ["source"] = "pin-source", ["quote"] = "it would stop its exports" });
        using (var created = await _editor.SendJsonAsync(HttpMethod.Post, "/events", @event))
        {
            await created.AssertStatusAsync(HttpStatusCode.Created);
        }

        // Still referred to: the events named, under 'events' too.
        var referred = await ProblemAsync(await _editor.SendJsonAsync(HttpMethod.Delete, "/entities/pin-co", null, "*"), HttpStatusCode.Conflict,
            "The entity is still referred to", "1 event still refer to the entity 'pin-co': pin-event. Change or delete them first.");
        Assert.Equal(["pin-event"], referred.GetProperty("events").Strings());

        foreach (var url in new[] { "/events/pin-event", "/entities/pin-co", "/sources/pin-source" })
        {
            using var deleted = await _editor.SendJsonAsync(HttpMethod.Delete, url, null, "*");
            await deleted.AssertStatusAsync(HttpStatusCode.NoContent);
            Assert.NotNull(deleted.Headers.ETag);
        }

        await ProblemAsync(await _editor.SendJsonAsync(HttpMethod.Post, "/events/pin-event/restore", null), HttpStatusCode.Conflict,
            "The event refers to deleted records", "The event 'pin-event' refers to deleted records: entity pin-co, source pin-source. Restore them first.");

        using (var again = await _editor.SendJsonAsync(HttpMethod.Post, "/entities", entity))
        {
            await ProblemAsync(again, HttpStatusCode.Conflict, "The entity exists", "The entity 'pin-co' exists but is deleted; bring it back with POST /entities/pin-co/restore.");
            Assert.Equal("/entities/pin-co", again.Headers.Location?.OriginalString);
        }

        var twin = source.DeepClone().AsObject();
        twin["id"] = "pin-twin";
        using (var duplicate = await _editor.SendJsonAsync(HttpMethod.Post, "/sources", twin))
        {
            var problem = await ProblemAsync(duplicate, HttpStatusCode.Conflict, "The source exists",
                $"This text is already stored as source 'pin-source' (sha256 {Timeline.Model.Dataset.DatasetValidator.Sha256(source["text"]!.GetValue<string>())}), which is deleted; restore it with POST /sources/pin-source/restore.");
            Assert.Equal("/sources/pin-source", problem.GetProperty("existing").GetString());
            Assert.Equal("/sources/pin-source", duplicate.Headers.Location?.OriginalString);
        }

        var gone = await ProblemAsync(await _editor.SendJsonAsync(HttpMethod.Put, "/entities/pin-co", entity, "*"), HttpStatusCode.Gone, "The entity was deleted");
        Assert.Equal("editor", gone.GetProperty("deletedBy").GetString());
        var deletedAt = gone.GetProperty("deletedAt").GetString();
        Assert.Equal($"The entity 'pin-co' was deleted at {deletedAt} by editor; POST /entities/pin-co/restore brings it back.", gone.GetProperty("detail").GetString());

        (await _editor.SendJsonAsync(HttpMethod.Post, "/entities/pin-co/restore", null)).EnsureSuccessStatusCode();
        await ProblemAsync(await _editor.SendJsonAsync(HttpMethod.Post, "/entities/pin-co/restore", null), HttpStatusCode.Conflict,
            "The entity is not deleted", "The entity 'pin-co' is not deleted; there is nothing to restore.");

        await ProblemAsync(await _editor.SendJsonAsync(HttpMethod.Put, "/entities/pin-co", entity), HttpStatusCode.PreconditionRequired,
            "If-Match required", "Send If-Match with the ETag of the entity you are changing (GET /entities/pin-co), so that a change made meanwhile by someone else is never overwritten.");
        var stale = await ProblemAsync(await _editor.SendJsonAsync(HttpMethod.Put, "/entities/pin-co", entity, "\"1.1\""), HttpStatusCode.PreconditionFailed,
            "The record has changed", "The entity 'pin-co' is at version 3, not the one your If-Match names (1); someone changed it since you read it. GET it again, reapply your change, and send the new ETag.");
        Assert.Equal(3, stale.GetProperty("currentVersion").GetInt64());
        var foreign = await ProblemAsync(await _editor.SendJsonAsync(HttpMethod.Put, "/entities/pin-co", entity, "\"99.1\""), HttpStatusCode.PreconditionFailed,
            "If-Match is not an ETag of this record", "If-Match names no version of the entity 'pin-co': \"99.1\" names version 99, which this record has never had (it is at version 3). Send the ETag a GET of /entities/pin-co answers (it is at version 3).");
        Assert.Equal("not-this-record", foreign.GetProperty("reason").GetString());
        await ProblemAsync(await _editor.SendJsonAsync(HttpMethod.Put, "/entities/pin-co", entity, "not an etag"), HttpStatusCode.PreconditionFailed, "If-Match is not an ETag of this record");

        await ProblemAsync(await _editor.SendJsonAsync(HttpMethod.Delete, "/entities/no-such-pin", null, "*"), HttpStatusCode.NotFound,
            "No such entity", "There is no entity with id 'no-such-pin'.");

        var renamed = entity.DeepClone().AsObject();
        renamed["id"] = "other-pin";
        var invalid = await ProblemAsync(await _editor.SendJsonAsync(HttpMethod.Put, "/entities/pin-co", renamed, "*"), HttpStatusCode.UnprocessableEntity,
            "The document is not valid", "id: cannot change: this is the entity 'pin-co'");
        Assert.Equal(["cannot change: this is the entity 'pin-co'"], invalid.GetProperty("errors").GetProperty("id").Strings());

        using (var unchanged = await _editor.SendJsonAsync(HttpMethod.Put, "/entities/pin-co", entity, "*"))
        {
            await unchanged.AssertStatusAsync(HttpStatusCode.OK);
            Assert.StartsWith("\"3.", unchanged.Headers.ETag!.Tag, StringComparison.Ordinal);
        }
    }
}
