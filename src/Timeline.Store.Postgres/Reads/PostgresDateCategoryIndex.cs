using System.Data;
using System.Text;
using Microsoft.Extensions.Options;
using Npgsql;
using Timeline.Model.Store.Engine;

namespace Timeline.Store.Postgres;

/// <summary>
/// The PostgreSQL engine's in-memory copy of the live events' days, categories, tags and entities
/// (<see cref="EventFacetCopy"/>), read in one repeatable-read snapshot (from a standby when reads may go there) with the
/// data version it belongs to. It is loaded anew when the store's data version moves on, whoever wrote: this replica,
/// another one, an import (<see cref="PostgresDataVersion"/> sees their writes within Timeline:DataVersionRefreshMilliseconds).
/// </summary>
public sealed class PostgresDateCategoryIndex(PostgresConnections database, IOptions<TimelineOptions> options) : EventFacetCopy(options.Value.DateCategoryIndex)
{
    protected override async Task<EventFacetSnapshot> LoadAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenReadAsync(cancellationToken);
        await using var snapshot = await PostgresReadSnapshot.BeginAsync(connection, cancellationToken);
        var dataVersion = await PostgresReadSnapshot.DataVersionAsync(connection, snapshot, cancellationToken);

        // The live events as they lie (a sequential scan: the builder sorts them by first day, faster than an index walk
        // of every event). Their number is the planner's estimate: the builder's lists grow past it when it is short.
        var builder = new EventFacetSnapshotBuilder((int)Math.Clamp(await EstimateAsync(connection, snapshot, cancellationToken), 0, 10_000_000));
        await using (var rows = new NpgsqlCommand(
            "SELECT first_day, last_day, category, seq, tags FROM events WHERE deleted_at IS NULL;", connection, snapshot))
        await using (var reader = await rows.ExecuteReaderAsync(CommandBehavior.SequentialAccess, cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var firstDay = reader.GetString(0);
                var lastDay = reader.GetString(1);
                var category = reader.GetString(2);
                var seq = reader.GetInt64(3);
                var tags = reader.GetString(4);
                builder.AddEvent(firstDay, lastDay, category, seq, tags == "[]" ? [] : Encoding.UTF8.GetBytes(tags));
            }
        }

        // Each live event's entities (an entity in several roles of one event is counted once by the builder).
        await using (var links = new NpgsqlCommand(
            "SELECT ee.entity_id, e.seq FROM event_entities ee JOIN events e ON e.id = ee.event_id WHERE e.deleted_at IS NULL;", connection, snapshot))
        await using (var reader = await links.ExecuteReaderAsync(CommandBehavior.SequentialAccess, cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                builder.AddEntityLink(reader.GetString(0), reader.GetInt64(1));
            }
        }

        await using (var names = new NpgsqlCommand("SELECT id, name FROM entities;", connection, snapshot))
        await using (var reader = await names.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                builder.SetEntityName(reader.GetString(0), reader.GetString(1));
            }
        }

        await snapshot.CommitAsync(cancellationToken);
        return builder.Build(dataVersion);
    }

    private static async Task<long> EstimateAsync(NpgsqlConnection connection, NpgsqlTransaction snapshot, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT GREATEST(reltuples, 0)::bigint FROM pg_class WHERE oid = 'events'::regclass;", connection, snapshot);
        return await command.ExecuteScalarAsync(cancellationToken) is long estimate ? estimate : 0;
    }
}
