using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Timeline.Store.Sqlite;

/// <summary>
/// Merges a duplicate event into a surviving one (<see cref="IEventMerger"/>) in one immediate transaction: both
/// preconditions are checked against the stored versions, the survivor's document is composed from both current
/// documents (<see cref="Compose"/>), validated like any event write (verbatim quotes, live entities and link targets),
/// and written through <see cref="TimelineWriter"/> as an update of the survivor. Listing the merged id among the
/// survivor's former ids retires the merged event there (<see cref="FormerIds"/>: a tombstone with its revision), so
/// its GET answers 301 to the survivor and links to it lead there. The data version moves once.
/// </summary>
internal sealed class EventMerger(SqliteConnections database, TimeProvider clock, DataVersionCache state) : IEventMerger
{
    private readonly EventKind _kind = new();

    public async Task<WriteOutcome<EventDetail>> MergeAsync(
        string mergedId, string survivorId, IfMatch mergedIfMatch, IfMatch survivorIfMatch, WriteContext context, CancellationToken cancellationToken)
    {
        var ct = cancellationToken;
        await using var connection = await database.OpenAsync(ct);
        var change = new Change(context.Actor, clock.GetUtcNow(), context.Reason);
        await using (var transaction = connection.BeginTransaction(deferred: false))
        {
            var refused = await WriteAsync(connection, transaction, mergedId, survivorId, mergedIfMatch, survivorIfMatch, change, ct);
            if (refused is not null)
            {
                await transaction.RollbackAsync(ct);
                return refused;
            }

            await TimelineWriter.TouchAsync(connection, transaction, change, ct);
            if (context.DryRun)
            {
                // What the merge would make: the survivor read inside the transaction, then nothing kept.
                var wouldBe = await ReadSurvivorAsync(connection, transaction, survivorId, ct);
                await transaction.RollbackAsync(ct);
                return wouldBe;
            }

            await transaction.CommitAsync(ct);
            state.Invalidate();
        }

        // The answer comes from one snapshot: the survivor and the data version it was read at.
        await using var snapshot = connection.BeginTransaction(deferred: true);
        var answer = await ReadSurvivorAsync(connection, snapshot, survivorId, ct);
        await snapshot.CommitAsync(ct);
        return answer;
    }

    private async Task<WriteOutcome<EventDetail>> ReadSurvivorAsync(SqliteConnection connection, SqliteTransaction tx, string survivorId, CancellationToken ct)
    {
        var dataVersion = await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT data_version FROM store_state WHERE id = 1;", transaction: tx, cancellationToken: ct));
        var (record, version) = await _kind.ReadAsync(connection, tx, survivorId, ct);
        return new WriteOutcome<EventDetail>.Updated(record!, version, dataVersion);
    }

    /// <summary>The merge inside the transaction: null when written, else the refusal (nothing written).</summary>
    private async Task<WriteOutcome<EventDetail>?> WriteAsync(
        SqliteConnection c, SqliteTransaction tx, string mergedId, string survivorId, IfMatch mergedIfMatch, IfMatch survivorIfMatch, Change change, CancellationToken ct)
    {
        if (mergedId == survivorId)
        {
            return new WriteOutcome<EventDetail>.Invalid(new Dictionary<string, string[]> { ["into"] = [$"'{survivorId}' is the event being merged; name the event that survives"] });
        }

        var merged = await StateAsync(c, tx, mergedId, ct);
        if (Refusal(mergedId, merged, mergedIfMatch, required: true) is { } mergedRefused)
        {
            return mergedRefused;
        }

        var survivor = await StateAsync(c, tx, survivorId, ct);
        if (Refusal(survivorId, survivor, survivorIfMatch, required: false) is { } survivorRefused)
        {
            return survivorRefused;
        }

        var survivorDocument = await DocumentAsync(c, tx, survivorId, survivor!.Value.Version, ct);
        var mergedDocument = await DocumentAsync(c, tx, mergedId, merged!.Value.Version, ct);
        var body = JsonSerializer.SerializeToNode(Compose(survivorDocument, mergedDocument), DatasetReader.JsonOptions) as JsonObject ?? [];
        var (valid, errors) = await _kind.ValidateAsync(c, tx, body, ct);
        if (valid is null || errors.Count > 0)
        {
            return new WriteOutcome<EventDetail>.Invalid(errors);
        }

        await _kind.WriteAsync(c, tx, valid, "update", change, ct);
        return null;
    }

    /// <summary>
    /// The survivor's document after the merge: its own fields (date, title, summary, category) as they are; the merged
    /// event's tags, caveats, entity links, citations and references that it lacks appended in their order (a citation
    /// whose words a survivor's quote of the same source already holds is left out); the merged
    /// id and its former ids added to its former ids; the merged event's related events added to its own (neither event
    /// itself, nor their former ids); and its superseded event kept, or else the merged one's (when both name one and
    /// they differ, the merged one's becomes related).
    /// </summary>
    public static EventDocument Compose(EventDocument survivor, EventDocument merged)
    {
        static List<T> Union<T>(List<T>? first, List<T>? second, IEqualityComparer<T>? comparer = null) =>
            [.. (first ?? []).Concat(second ?? []).Distinct(comparer)];

        var formerIds = Union(Union(survivor.FormerIds, [merged.Id!]), merged.FormerIds, StringComparer.Ordinal)
            .Where(id => id != survivor.Id).ToList();
        var itself = new HashSet<string>([survivor.Id!, .. formerIds], StringComparer.Ordinal);
        var supersedes = survivor.Supersedes is { } own && !itself.Contains(own) ? own
            : merged.Supersedes is { } theirs && !itself.Contains(theirs) ? theirs
            : null;
        var related = Union(survivor.Related, merged.Related, StringComparer.Ordinal);
        if (merged.Supersedes is { } other && other != supersedes)
        {
            related.Add(other);
        }

        related = [.. related.Distinct(StringComparer.Ordinal).Where(id => !itself.Contains(id) && id != supersedes)];
        return survivor with
        {
            Tags = Union(survivor.Tags, merged.Tags, StringComparer.Ordinal),
            Caveats = Union(survivor.Caveats, merged.Caveats, StringComparer.Ordinal),
            Entities = Union(survivor.Entities, merged.Entities),
            Citations = [.. survivor.Citations ?? [], .. NewCitations(survivor.Citations ?? [], merged.Citations ?? [])],
            References = survivor.References is null && merged.References is null ? null : Union(survivor.References, merged.References),
            FormerIds = formerIds,
            Related = related.Count == 0 ? null : related,
            Supersedes = supersedes,
        };
    }

    /// <summary>The merged event's citations that the survivor does not already make: none that quotes words of the same source the survivor's quotes already hold.</summary>
    private static IEnumerable<CitationDocument> NewCitations(List<CitationDocument> kept, List<CitationDocument> added)
    {
        var all = new List<CitationDocument>(kept);
        foreach (var citation in added)
        {
            if (!all.Any(c => c.Source == citation.Source && c.Quote is not null && citation.Quote is not null && c.Quote.Contains(citation.Quote, StringComparison.Ordinal)))
            {
                all.Add(citation);
                yield return citation;
            }
        }
    }

    private static WriteOutcome<EventDetail>? Refusal(string id, (long Version, string? DeletedAt, string? DeletedBy)? current, IfMatch ifMatch, bool required)
    {
        if (current is not { } found)
        {
            return new WriteOutcome<EventDetail>.NotFound(id);
        }

        if (found.DeletedAt is not null)
        {
            return new WriteOutcome<EventDetail>.Gone(id, found.DeletedAt, found.DeletedBy);
        }

        return ifMatch.Matches(found.Version) switch
        {
            null when required => new WriteOutcome<EventDetail>.PreconditionRequired(id),
            false => new WriteOutcome<EventDetail>.PreconditionFailed(id, found.Version),
            _ => null,
        };
    }

    private static Task<(long Version, string? DeletedAt, string? DeletedBy)?> StateAsync(SqliteConnection c, SqliteTransaction tx, string id, CancellationToken ct) =>
        c.QuerySingleOrDefaultAsync<(long Version, string? DeletedAt, string? DeletedBy)?>(new CommandDefinition(
            "SELECT version, deleted_at, deleted_by FROM events WHERE id = @id;", new { id }, tx, cancellationToken: ct));

    private static async Task<EventDocument> DocumentAsync(SqliteConnection c, SqliteTransaction tx, string id, long version, CancellationToken ct) =>
        Documents.Deserialize<EventDocument>(await c.ExecuteScalarAsync<string>(new CommandDefinition(
            "SELECT document FROM revisions WHERE resource = 'event' AND resource_id = @id AND version = @version;", new { id, version }, tx, cancellationToken: ct)) ?? "{}")
        ?? new EventDocument { Id = id };
}
