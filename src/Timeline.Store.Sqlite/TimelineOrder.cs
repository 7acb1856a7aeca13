using System.Data;
using System.Text.Json;
using Dapper;

namespace Timeline.Store.Sqlite;

/// <summary>
/// Keeps the seq (rowid) of every live event in timeline order: for any two live events, the one with
/// the smaller (first_day, date_precision, id) has the smaller seq. Rows that follow each other on the
/// timeline then share pages, and the search index and entity_timeline (both keyed by seq) yield events in
/// timeline order, so the read queries can seek and stop instead of sorting.
/// <para>
/// Numbers are handed out 2^20 apart, so an event lands between its neighbours without moving anything;
/// when two neighbours have no number left between them, the rows around them are spread out again.
/// Moving an event moves its search row and its entity_timeline rows with it. Deleted events keep their
/// number and do not count (they leave every list); a restored event is placed again.
/// </para>
/// </summary>
public static class TimelineOrder
{
    /// <summary>The first number of a store renumbered in timeline order.</summary>
    public const long Origin = 1L << 40;

    /// <summary>The distance between the numbers of consecutive events after a renumbering or a bulk load.</summary>
    public const long Spacing = 1L << 20;

    /// <summary>Above this many events to place at once, renumbering the whole table costs less than placing each.</summary>
    public const int RenumberThreshold = 2_000;

    /// <summary>The smallest distance a re-spreading leaves between two rows (room for ten more halvings).</summary>
    private const long MinimumStep = 1 << 10;

    private sealed record Move(string Id, long Old, long New);

    /// <summary>
    /// Places the given events (just written, updated or restored) among the other live events, which must
    /// already be in order. Deleted or unknown ids are skipped.
    /// </summary>
    public static async Task PlaceAsync(IDbConnection c, IDbTransaction tx, IReadOnlyCollection<string> ids, CancellationToken ct)
    {
        if (ids.Count == 0)
        {
            return;
        }

        if (ids.Count > RenumberThreshold)
        {
            await RenumberAllAsync(c, tx, ct);
            return;
        }

        // Events not yet placed are left out of every neighbour search: only placed events are known to be in order.
        var pending = new HashSet<string>(ids, StringComparer.Ordinal);
        foreach (var id in ids)
        {
            await PlaceOneAsync(c, tx, id, pending, ct);
            pending.Remove(id);
        }
    }

    /// <summary>Numbers every event in timeline order, <see cref="Spacing"/> apart, and rebuilds what is keyed by the numbers.</summary>
    public static async Task RenumberAllAsync(IDbConnection c, IDbTransaction tx, CancellationToken ct)
    {
        await c.ExecuteAsync(new CommandDefinition(
            """
            UPDATE events SET seq = -seq - 1;
            UPDATE events SET seq = @Origin + @Spacing * r.n
            FROM (SELECT seq AS old, ROW_NUMBER() OVER (ORDER BY first_day, date_precision, id) - 1 AS n FROM events) AS r
            WHERE events.seq = r.old;
            DELETE FROM entity_timeline;
            INSERT INTO entity_timeline (entity_id, event_seq, last_day)
            SELECT DISTINCT ee.entity_id, e.seq, e.last_day FROM event_entities ee JOIN events e ON e.id = ee.event_id;
            """,
            new { Origin, Spacing },
            tx,
            cancellationToken: ct));
        await SearchIndex.RebuildEventsAsync(c, tx, ct);
    }

    /// <summary>Re-writes the entity_timeline rows of one event from its links and its last day (after it was written).</summary>
    public static Task RefreshEntityTimelineAsync(IDbConnection c, IDbTransaction tx, string id, long seq, IEnumerable<string> previousEntities, CancellationToken ct) =>
        c.ExecuteAsync(new CommandDefinition(
            """
            DELETE FROM entity_timeline WHERE event_seq = @seq AND entity_id IN (SELECT value FROM json_each(@previous));
            INSERT OR REPLACE INTO entity_timeline (entity_id, event_seq, last_day)
            SELECT DISTINCT ee.entity_id, @seq, e.last_day FROM event_entities ee JOIN events e ON e.id = ee.event_id WHERE ee.event_id = @id;
            """,
            new { id, seq, previous = JsonSerializer.Serialize(previousEntities) },
            tx,
            cancellationToken: ct));

    private static async Task PlaceOneAsync(IDbConnection c, IDbTransaction tx, string id, HashSet<string> pending, CancellationToken ct)
    {
        var me = await c.QuerySingleOrDefaultAsync<(long Seq, string FirstDay, long Precision, string? DeletedAt)>(new CommandDefinition(
            "SELECT seq, first_day, date_precision, deleted_at FROM events WHERE id = @id;", new { id }, tx, cancellationToken: ct));
        if (me.FirstDay is null || me.DeletedAt is not null)
        {
            return;
        }

        var parameters = new { id, me.FirstDay, me.Precision, Pending = JsonSerializer.Serialize(pending) };
        var prev = await c.ExecuteScalarAsync<long?>(new CommandDefinition(
            """
            SELECT seq FROM events
            WHERE deleted_at IS NULL AND (first_day, date_precision, id) < (@FirstDay, @Precision, @id)
              AND id NOT IN (SELECT value FROM json_each(@Pending))
            ORDER BY first_day DESC, date_precision DESC, id DESC LIMIT 1;
            """,
            parameters, tx, cancellationToken: ct));
        var next = await c.ExecuteScalarAsync<long?>(new CommandDefinition(
            """
            SELECT seq FROM events
            WHERE deleted_at IS NULL AND (first_day, date_precision, id) > (@FirstDay, @Precision, @id)
              AND id NOT IN (SELECT value FROM json_each(@Pending))
            ORDER BY first_day, date_precision, id LIMIT 1;
            """,
            parameters, tx, cancellationToken: ct));
        if ((prev is null || prev < me.Seq) && (next is null || me.Seq < next))
        {
            return;
        }

        var target = await FreeNumberAsync(c, tx, prev, next, ct);
        var moves = target is { } free ? [new Move(id, me.Seq, free)] : await RespreadAsync(c, tx, id, me.Seq, prev ?? 0, next!.Value, ct);
        await MoveAsync(c, tx, moves, ct);
    }

    /// <summary>A number between the two neighbours that no row holds (deleted rows keep theirs), or null if none is left.</summary>
    private static async Task<long?> FreeNumberAsync(IDbConnection c, IDbTransaction tx, long? prev, long? next, CancellationToken ct)
    {
        if (next is null)
        {
            // After the last live event: one step on, or past every row if a deleted one holds that number.
            var candidate = (prev ?? Origin - Spacing) + Spacing;
            var taken = await c.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM events WHERE seq = @candidate;", new { candidate }, tx, cancellationToken: ct));
            return taken == 0 ? candidate : await c.ExecuteScalarAsync<long>(new CommandDefinition("SELECT MAX(seq) + @Spacing FROM events;", new { Spacing }, tx, cancellationToken: ct));
        }

        // The widest gap between the rows (deleted ones) that sit between the neighbours; numbers stay above 0.
        var low = prev ?? 0;
        var inside = (await c.QueryAsync<long>(new CommandDefinition(
            "SELECT seq FROM events WHERE seq > @low AND seq < @next ORDER BY seq LIMIT 1000;", new { low, next }, tx, cancellationToken: ct))).AsList();
        if (inside.Count == 1000)
        {
            return null;
        }

        long bestLow = low, bestHigh = low, previous = low;
        foreach (var seq in inside.Append(next.Value))
        {
            if (seq - previous > bestHigh - bestLow)
            {
                (bestLow, bestHigh) = (previous, seq);
            }

            previous = seq;
        }

        return bestHigh - bestLow >= 2 ? bestLow + ((bestHigh - bestLow) / 2) : null;
    }

    /// <summary>
    /// Spreads out the rows around two neighbours that have no number left between them, with a place for
    /// the moving event right after the lower one: every row (live or not) between the k-th row below and the
    /// k-th row above, k widened until the numbers leave at least <see cref="MinimumStep"/> between rows.
    /// Rows keep their relative order.
    /// </summary>
    private static async Task<IReadOnlyList<Move>> RespreadAsync(IDbConnection c, IDbTransaction tx, string id, long moving, long prev, long next, CancellationToken ct)
    {
        for (var k = 16; ; k *= 4)
        {
            var below = (await c.QueryAsync<long>(new CommandDefinition(
                "SELECT seq FROM events WHERE seq <= @prev AND seq <> @moving ORDER BY seq DESC LIMIT @take;",
                new { prev, moving, take = k + 1 }, tx, cancellationToken: ct))).AsList();
            var above = (await c.QueryAsync<long>(new CommandDefinition(
                "SELECT seq FROM events WHERE seq >= @next AND seq <> @moving ORDER BY seq LIMIT @take;",
                new { next, moving, take = k + 1 }, tx, cancellationToken: ct))).AsList();

            // The window's bounds are the first rows outside it; with no row beyond an end, the numbers are free there.
            var closedBelow = below.Count > k;
            var closedAbove = above.Count > k;
            var low = closedBelow ? below[k] : 0;
            var high = closedAbove
                ? above[k]
                : await c.ExecuteScalarAsync<long>(new CommandDefinition("SELECT MAX(seq) FROM events;", null, tx, cancellationToken: ct)) + ((k + 2) * Spacing);
            var rows = (await c.QueryAsync<(string Id, long Seq)>(new CommandDefinition(
                "SELECT id, seq FROM events WHERE seq > @low AND seq < @high AND seq <> @moving ORDER BY seq;",
                new { low, high, moving }, tx, cancellationToken: ct))).AsList();
            var step = (high - low) / (rows.Count + 2);
            if (step < MinimumStep && (closedBelow || closedAbove))
            {
                continue;
            }

            var window = new List<(string Id, long Seq)>(rows.Count + 1);
            foreach (var row in rows)
            {
                window.Add(row);
                if (row.Seq == prev)
                {
                    window.Add((id, moving));
                }
            }

            if (window.Count == rows.Count)
            {
                window.Insert(0, (id, moving)); // no live event before it (prev is 0)
            }

            var moves = new List<Move>();
            for (var i = 0; i < window.Count; i++)
            {
                var number = low + (step * (i + 1));
                if (number != window[i].Seq)
                {
                    moves.Add(new Move(window[i].Id, window[i].Seq, number));
                }
            }

            return moves;
        }
    }

    /// <summary>Gives rows new numbers (through negative ones, so that no new number meets an old one), with their search and entity_timeline rows.</summary>
    private static async Task MoveAsync(IDbConnection c, IDbTransaction tx, IReadOnlyList<Move> moves, CancellationToken ct)
    {
        if (moves.Count == 0)
        {
            return;
        }

        await c.ExecuteAsync(new CommandDefinition(
            """
            UPDATE events SET seq = -@Old - 1 WHERE seq = @Old;
            UPDATE entity_timeline SET event_seq = -@Old - 1
            WHERE event_seq = @Old AND entity_id IN (SELECT entity_id FROM event_entities WHERE event_id = @Id);
            """,
            moves, tx, cancellationToken: ct));
        await c.ExecuteAsync(new CommandDefinition(
            """
            UPDATE events SET seq = @New WHERE seq = -@Old - 1;
            UPDATE entity_timeline SET event_seq = @New
            WHERE event_seq = -@Old - 1 AND entity_id IN (SELECT entity_id FROM event_entities WHERE event_id = @Id);
            """,
            moves, tx, cancellationToken: ct));
        // Every old search row goes before any new one is written (a new number may be another row's old one), in
        // chunks: a window spread over many deleted rows can move thousands, more than one statement's parameters.
        foreach (var chunk in moves.Chunk(500))
        {
            await SearchIndex.RemoveEventsAsync(c, tx, chunk.Select(m => m.Old).ToList(), ct);
        }

        foreach (var chunk in moves.Chunk(500))
        {
            await SearchIndex.RefreshEventsAsync(c, tx, chunk.Select(m => m.New).ToList(), ct);
        }
    }
}
