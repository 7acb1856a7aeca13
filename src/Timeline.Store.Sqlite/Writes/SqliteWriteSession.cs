using Dapper;
using Microsoft.Data.Sqlite;

namespace Timeline.Store.Sqlite;

/// <summary>
/// One write transaction of the SQLite store for the engine-neutral write flows: an immediate transaction (SQLite's one
/// writer at a time), then, after the commit, a deferred one on the same connection that reads the answer from one
/// snapshot. A session made on a caller's connection and transaction (an import replaying history) leaves both to it.
/// </summary>
public sealed class SqliteWriteSession(SqliteConnection connection, SqliteTransaction transaction, DataVersionCache? state, bool owned) : WriteSession
{
    private sealed class StateRow
    {
        public long Version { get; init; }

        public string? DeletedAt { get; init; }

        public string? DeletedBy { get; init; }
    }

    public SqliteConnection Connection { get; } = connection;

    /// <summary>The transaction in force: the write's, then the snapshot's.</summary>
    public SqliteTransaction Transaction { get; private set; } = transaction;

    /// <summary>A write transaction of its own, on a new connection.</summary>
    public static async Task<SqliteWriteSession> BeginAsync(SqliteConnections database, DataVersionCache state, CancellationToken ct)
    {
        var connection = await database.OpenAsync(ct);
        try
        {
            return new SqliteWriteSession(connection, connection.BeginTransaction(deferred: false), state, owned: true);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>A session inside the caller's transaction (it commits, and forgets the data version).</summary>
    public static SqliteWriteSession Within(SqliteConnection connection, SqliteTransaction transaction) => new(connection, transaction, null, owned: false);

    protected override async Task CommitWriteAsync(CancellationToken ct)
    {
        await Transaction.CommitAsync(ct);
        state?.Invalidate();
    }

    public override Task RollbackAsync(CancellationToken ct) => Transaction.RollbackAsync(ct);

    public override Task BeginSnapshotAsync(CancellationToken ct)
    {
        Transaction.Dispose();
        Transaction = Connection.BeginTransaction(deferred: true);
        return Task.CompletedTask;
    }

    public override Task EndSnapshotAsync(CancellationToken ct) => Transaction.CommitAsync(ct);

    public override async Task<RecordState?> StateAsync(string resource, string id, CancellationToken ct) =>
        await Connection.QuerySingleOrDefaultAsync<StateRow>(new CommandDefinition(
            $"SELECT version AS Version, deleted_at AS DeletedAt, deleted_by AS DeletedBy FROM {StoredColumns.Table(resource)} WHERE id = @id;",
            new { id },
            Transaction,
            cancellationToken: ct)) is { } row
            ? new RecordState(row.Version, row.DeletedAt, row.DeletedBy)
            : null;

    public override Task<string?> DocumentAsync(string resource, string id, long version, CancellationToken ct) =>
        Connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT document FROM revisions WHERE resource = @resource AND resource_id = @id AND version = @version;",
            new { resource, id, version },
            Transaction,
            cancellationToken: ct));

    public override Task<long> DataVersionAsync(CancellationToken ct) =>
        Connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT data_version FROM store_state WHERE id = 1;", transaction: Transaction, cancellationToken: ct));

    public override Task<string?> RenamedToAsync(string resource, string id, CancellationToken ct) =>
        Connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            $"SELECT f.current_id FROM former_ids f JOIN {StoredColumns.Table(resource)} r ON r.id = f.current_id AND r.deleted_at IS NULL WHERE f.resource = @resource AND f.former_id = @id;",
            new { resource, id },
            Transaction,
            cancellationToken: ct));

    public override Task SetDeletedAsync(string resource, string id, bool deleted, string document, Change change, CancellationToken ct) =>
        TimelineWriter.SetDeletedAsync(Connection, Transaction, resource, id, deleted, document, change, ct);

    public override Task TouchAsync(Change change, CancellationToken ct) => TimelineWriter.TouchAsync(Connection, Transaction, change, ct);

    public override async ValueTask DisposeAsync()
    {
        if (owned)
        {
            await Transaction.DisposeAsync();
            await Connection.DisposeAsync();
        }
    }
}
