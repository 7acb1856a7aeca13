using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;
using Timeline.Model.Store.Engine;
using Timeline.Store.Postgres;
using Xunit.Abstractions;

namespace Timeline.Api.Tests;

/// <summary>PostgreSQL only: many writers on one database, through HTTP: lost updates never happen and the change feed never skips or repeats.</summary>
public sealed class PostgresConcurrencyTests(ITestOutputHelper output)
{
    private const int Writers = 8;
    private const int Rounds = 40;

    [Fact]
    public async Task Of_eight_writers_holding_the_same_etag_exactly_one_wins_each_of_forty_rounds()
    {
        using var app = new TimelineApp().LoggingTo(output);
        using var reader = app.CreateClient();
        var editors = Enumerable.Range(0, Writers).Select(_ => app.CreateClient(TimelineApp.EditorKey)).ToList();
        using (var created = await editors[0].SendJsonAsync(HttpMethod.Post, "/events", Curation.NewEvent("contested-event")))
        {
            await created.AssertStatusAsync(HttpStatusCode.Created);
        }

        var version = (await reader.GetJsonAsync("/events/contested-event")).GetProperty("version").GetInt64();
        for (var round = 0; round < Rounds; round++)
        {
            var etag = await reader.ETagAsync("/events/contested-event");

            // Every writer holds the same ETag and is released at once.
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var patches = editors.Select(async (editor, w) =>
            {
                await start.Task;
                using var response = await editor.SendJsonAsync(
                    HttpMethod.Patch, "/events/contested-event", new JsonObject { ["title"] = $"Round {round}, writer {w}" }, etag, "application/merge-patch+json");
                return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
            }).ToList();
            start.SetResult();
            var answers = await Task.WhenAll(patches);

            Assert.True(answers.Count(a => a.StatusCode == HttpStatusCode.OK) == 1, $"round {round}: {string.Join(", ", answers.Select(a => (int)a.StatusCode))}");
            Assert.All(answers.Where(a => a.StatusCode != HttpStatusCode.OK), a => Assert.True(a.StatusCode == HttpStatusCode.PreconditionFailed, a.Body));
            var now = (await reader.GetJsonAsync("/events/contested-event")).GetProperty("version").GetInt64();
            Assert.Equal(version + 1, now);
            version = now;
        }

        // One revision per round, each a new version: no update was lost or written twice.
        var revisions = (await reader.GetJsonAsync("/events/contested-event/revisions")).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(Enumerable.Range(1, Rounds + 1).Select(v => (long)v), revisions.Select(r => r.GetProperty("version").GetInt64()));
        foreach (var editor in editors)
        {
            editor.Dispose();
        }
    }

    /// <summary>
    /// Why a follower of /changes never misses or repeats a change: a revision's position (revisions.seq, an identity) is
    /// taken inside the write's transaction, and every write transaction first takes the store's write lock
    /// (PostgresConnections.BeginWriteAsync: a transaction-level advisory lock, released only at its commit or rollback).
    /// So positions are handed out one transaction at a time, in the order the transactions take the lock, which is the
    /// order they commit: when a reader sees position N committed, every transaction that took a position below N has
    /// already committed (or rolled back, leaving a gap no one waits for), and none can later commit a position below N.
    /// "Changes after N" therefore never skips one that commits later, whatever order the transactions began in. Without
    /// the lock, a transaction that took position 100 and committed after another that took 101 would be skipped by a
    /// follower that read 101 first. The test forces both interleavings with a second, raw connection.
    /// </summary>
    [Fact]
    public async Task A_follower_of_the_change_feed_misses_and_repeats_nothing_when_transactions_commit_out_of_the_order_they_began()
    {
        using var app = new TimelineApp().LoggingTo(output);
        using var editor = app.CreateClient(TimelineApp.EditorKey);
        using var reader = app.CreateClient();
        var follower = new Follower(reader);
        await follower.PollAsync();
        var seeded = follower.Seen.Count;
        Assert.True(seeded > 0);

        for (var i = 0; i < 4; i++)
        {
            using var created = await editor.SendJsonAsync(HttpMethod.Post, "/events", Curation.NewEvent($"feed-race-{i}", $"Feed race {i}"));
            await created.AssertStatusAsync(HttpStatusCode.Created);
        }

        await using var raw = new NpgsqlConnection(app.PostgresConnectionString);
        await raw.OpenAsync();

        // 1. The raw transaction begins first (it has a transaction id) ...
        await using var early = await raw.BeginTransactionAsync();
        await using (var begun = new NpgsqlCommand("SELECT txid_current();", raw, early))
        {
            await begun.ExecuteScalarAsync();
        }

        // ... a write through the API begins after it and commits first; the follower sees it.
        await PatchTitleAsync(editor, reader, "feed-race-0", "Committed while an older transaction was open");
        await follower.PollAsync();
        Assert.Equal("feed-race-0", follower.Seen[^1].Id);

        // 2. Now the raw transaction takes the write lock and a revision number, and stays open: the API's writes begun
        // after it wait for the lock, and the follower sees neither the open revision nor anything after it.
        await using (var locked = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({PostgresConnections.WriteLockKey});", raw, early))
        {
            await locked.ExecuteNonQueryAsync();
        }

        var change = new Change("raw-writer", DateTimeOffset.UtcNow, "forced interleaving");
        await PostgresTimelineWriter.WriteEntityAsync(raw, early, new ValidEntity("feed-race-entity", "Feed Race Co", "company", "US", [], null) { Standalone = true }, "create", change, CancellationToken.None);
        await PostgresTimelineWriter.TouchAsync(raw, early, change, CancellationToken.None);

        var etags = new List<string>();
        for (var i = 1; i < 4; i++)
        {
            etags.Add(await reader.ETagAsync($"/events/feed-race-{i}"));
        }

        var later = Enumerable.Range(1, 3).Select(i => Task.Run(async () =>
        {
            using var response = await editor.SendJsonAsync(
                HttpMethod.Patch, $"/events/feed-race-{i}", new JsonObject { ["title"] = $"Written after the open transaction {i}" }, etags[i - 1], "application/merge-patch+json");
            await response.AssertStatusAsync(HttpStatusCode.OK);
        })).ToList();
        var before = follower.Seen.Count;
        for (var poll = 0; poll < 5; poll++)
        {
            await Task.Delay(100);
            await follower.PollAsync();
        }

        Assert.Equal(before, follower.Seen.Count);
        Assert.All(later, t => Assert.False(t.IsCompleted, "a write committed while another transaction held the write lock"));

        // 3. The transaction that began first commits last; the writes waiting for it follow.
        await early.CommitAsync();
        await Task.WhenAll(later);
        await follower.PollAsync();

        var tail = follower.Seen.Skip(before).ToList();
        Assert.Equal(4, tail.Count);
        Assert.Equal(("entity", "feed-race-entity", 1L), (tail[0].Resource, tail[0].Id, tail[0].Version));
        Assert.Equal(["feed-race-1", "feed-race-2", "feed-race-3"], tail.Skip(1).Select(c => c.Id).Order(StringComparer.Ordinal));

        // The follower saw every change once, in the feed's order: the same list a reader reading it whole now gets.
        var whole = (await reader.AllChangesAsync(pageSize: 7)).Select(Follower.Key).ToList();
        Assert.Equal(whole, follower.Seen);
        Assert.Equal(whole.Count, whole.Distinct().Count());
        Assert.True(whole.Count >= seeded + 4 + 1 + 1 + 3);
    }

    /// <summary>
    /// Every writer of the engine takes the write lock, so a unique key cannot be taken between a write's check and its
    /// insert; a writer that did not (a hand-made transaction) makes the insert fail with a unique violation. The write is
    /// then made again from the start and answered as the conflict it is, as on SQLite: never a 500.
    /// </summary>
    [Fact]
    public async Task A_unique_key_taken_meanwhile_by_a_writer_outside_the_lock_is_answered_as_a_conflict_not_a_500()
    {
        using var app = new TimelineApp().LoggingTo(output);
        using var editor = app.CreateClient(TimelineApp.EditorKey);
        const string Text = "The ministry published its rule on 7 December 2026, twice.";

        await using var raw = new NpgsqlConnection(app.PostgresConnectionString);
        await raw.OpenAsync();
        await using var outside = await raw.BeginTransactionAsync();
        await using (var insert = new NpgsqlCommand(
            "INSERT INTO sources (id, title, text, sha256, created_at, updated_at) VALUES ('raw-source', 'By hand', @text, @sha, '2026-12-07T00:00:00.000Z', '2026-12-07T00:00:00.000Z');",
            raw,
            outside))
        {
            insert.Parameters.AddWithValue("text", Text);
            insert.Parameters.AddWithValue("sha", Timeline.Model.Dataset.DatasetValidator.Sha256(Text));
            await insert.ExecuteNonQueryAsync();
        }

        var source = new JsonObject { ["id"] = "api-source", ["title"] = "Through the API", ["publisher"] = "Example", ["publishedDate"] = "2026-12", ["text"] = Text, ["notes"] = new JsonArray() };
        var create = Task.Run(async () =>
        {
            using var response = await editor.SendJsonAsync(HttpMethod.Post, "/sources", source);
            return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
        });
        await Task.Delay(500);
        Assert.False(create.IsCompleted, "the API's insert should wait for the hand-made transaction holding the same text");
        await outside.CommitAsync();

        var (status, body) = await create;
        Assert.True(status == HttpStatusCode.Conflict, $"{(int)status}: {body}");
        Assert.Contains("raw-source", body, StringComparison.Ordinal);
    }

    private static async Task PatchTitleAsync(HttpClient editor, HttpClient reader, string id, string title)
    {
        var etag = await reader.ETagAsync($"/events/{id}");
        using var response = await editor.SendJsonAsync(HttpMethod.Patch, $"/events/{id}", new JsonObject { ["title"] = title }, etag, "application/merge-patch+json");
        await response.AssertStatusAsync(HttpStatusCode.OK);
    }

    /// <summary>A follower of /changes: it keeps its cursor and reads on from it, a small page at a time.</summary>
    private sealed class Follower(HttpClient client)
    {
        private string? _cursor;

        public List<(string Resource, string Id, long Version)> Seen { get; } = [];

        public static (string Resource, string Id, long Version) Key(JsonElement change) =>
            (change.GetProperty("resource").GetString()!, change.GetProperty("id").GetString()!, change.GetProperty("version").GetInt64());

        public async Task PollAsync()
        {
            while (true)
            {
                var page = await client.GetJsonAsync("/changes?limit=3" + (_cursor is null ? "" : "&since=" + Uri.EscapeDataString(_cursor)));
                var items = page.GetProperty("items").EnumerateArray().Select(Key).ToList();
                Seen.AddRange(items);
                _cursor = page.GetProperty("nextCursor").GetString();
                if (items.Count == 0)
                {
                    return;
                }
            }
        }
    }
}
