using System.Text.Json;
using System.Text.Json.Nodes;
using Timeline.Model.Dataset;
using Timeline.Model.Events;

namespace Timeline.Model.Store.Engine;

/// <summary>
/// Merges a duplicate event into a surviving one (<see cref="IEventMerger"/>) in one write transaction of the engine: both
/// preconditions are checked against the stored versions, the survivor's document is composed from both current
/// documents (<see cref="EventMerge.Compose"/>), validated like any event write (verbatim quotes, live entities and link targets),
/// and written by the engine's event kind as an update of the survivor. Listing the merged id among the survivor's
/// former ids retires the merged event there (the engine's former-id writer: a tombstone with its revision), so its GET
/// answers 301 to the survivor and links to it lead there. The data version moves once.
/// </summary>
/// <param name="kind">Events, in the engine's SQL.</param>
/// <param name="begin">Begins a write transaction of the engine (the write lock held).</param>
/// <param name="clock">The time the change is stamped with.</param>
public sealed class EventMergeFlow<TSession>(EventRecordKind<TSession> kind, Func<CancellationToken, Task<TSession>> begin, TimeProvider clock) : IEventMerger
    where TSession : WriteSession
{
    private readonly EventRecordKind<TSession> _kind = kind;

    public async Task<WriteOutcome<EventDetail>> MergeAsync(
        string mergedId, string survivorId, IfMatch mergedIfMatch, IfMatch survivorIfMatch, WriteContext context, CancellationToken cancellationToken)
    {
        var ct = cancellationToken;
        for (var attempt = 1; ; attempt++)
        {
            await using var s = await begin(ct);
            try
            {
                var change = new Change(context.Actor, clock.GetUtcNow(), context.Reason);
                var refused = await WriteAsync(s, mergedId, survivorId, mergedIfMatch, survivorIfMatch, change, ct);
                if (refused is not null)
                {
                    await s.RollbackAsync(ct);
                    return refused;
                }

                await s.TouchAsync(change, ct);
                if (context.DryRun)
                {
                    // What the merge would make: the survivor read inside the transaction, then nothing kept.
                    var wouldBe = await ReadSurvivorAsync(s, survivorId, ct);
                    await s.RollbackAsync(ct);
                    return wouldBe;
                }

                await s.CommitAsync(ct);
            }
            catch (Exception ex) when (attempt < WriteSession.MaxAttempts && s.IsRetryable(ex))
            {
                continue; // nothing was kept: the merge is made again from the start
            }

            // The answer comes from one snapshot: the survivor and the data version it was read at.
            await s.BeginSnapshotAsync(ct);
            var answer = await ReadSurvivorAsync(s, survivorId, ct);
            await s.EndSnapshotAsync(ct);
            return answer;
        }
    }

    private async Task<WriteOutcome<EventDetail>> ReadSurvivorAsync(TSession s, string survivorId, CancellationToken ct)
    {
        var dataVersion = await s.DataVersionAsync(ct);
        var (record, version) = await _kind.ReadAsync(s, survivorId, ct);
        return new WriteOutcome<EventDetail>.Updated(record!, version, dataVersion);
    }

    /// <summary>The merge inside the transaction: null when written, else the refusal (nothing written).</summary>
    private async Task<WriteOutcome<EventDetail>?> WriteAsync(
        TSession s, string mergedId, string survivorId, IfMatch mergedIfMatch, IfMatch survivorIfMatch, Change change, CancellationToken ct)
    {
        if (mergedId == survivorId)
        {
            return new WriteOutcome<EventDetail>.Invalid(new Dictionary<string, string[]> { ["into"] = [$"'{survivorId}' is the event being merged; name the event that survives"] });
        }

        var merged = await s.StateAsync("event", mergedId, ct);
        if (Refusal(mergedId, merged, mergedIfMatch, required: true) is { } mergedRefused)
        {
            return mergedRefused;
        }

        var survivor = await s.StateAsync("event", survivorId, ct);
        if (Refusal(survivorId, survivor, survivorIfMatch, required: false) is { } survivorRefused)
        {
            return survivorRefused;
        }

        var survivorDocument = await DocumentAsync(s, survivorId, survivor!.Version, ct);
        var mergedDocument = await DocumentAsync(s, mergedId, merged!.Version, ct);
        var body = JsonSerializer.SerializeToNode(EventMerge.Compose(survivorDocument, mergedDocument), DatasetReader.JsonOptions) as JsonObject ?? [];
        var (valid, errors) = await _kind.ValidateAsync(s, body, ct);
        if (valid is null || errors.Count > 0)
        {
            return new WriteOutcome<EventDetail>.Invalid(errors);
        }

        await _kind.WriteAsync(s, valid, "update", change, ct);
        return null;
    }

    private static WriteOutcome<EventDetail>? Refusal(string id, RecordState? current, IfMatch ifMatch, bool required)
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

    private static async Task<EventDocument> DocumentAsync(TSession s, string id, long version, CancellationToken ct) =>
        Documents.Deserialize<EventDocument>(await s.DocumentAsync("event", id, version, ct) ?? "{}") ?? new EventDocument { Id = id };
}

/// <summary>What a merge makes of two events' documents (the rules, apart from any store).</summary>
public static class EventMerge
{
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
}
