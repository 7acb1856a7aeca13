using System.Data;
using Dapper;
using Npgsql;

namespace Timeline.Store.Postgres;

/// <summary>
/// One write transaction of the PostgreSQL store for the engine-neutral write flows: begun on the primary holding the
/// store's write lock (<see cref="PostgresConnections.BeginWriteAsync"/>), so that every write, and every read that decides
/// it (the If-Match precondition, the stored document a patch applies to), sees all that was committed before it and
/// nothing can commit in between; then, after the commit, a read-only repeatable-read transaction on the same primary
/// connection reads the answer from one snapshot (read-your-writes, whatever standbys serve other reads).
/// </summary>
public sealed class PostgresWriteSession : WriteSession
{
    private readonly PostgresDataVersion? _dataVersion;
    private readonly bool _owned;

    private sealed class StateRow
    {
        public long Version { get; init; }

        public string? DeletedAt { get; init; }

        public string? DeletedBy { get; init; }
    }

    private PostgresWriteSession(NpgsqlConnection connection, NpgsqlTransaction transaction, PostgresDataVersion? dataVersion, bool owned)
    {
        Connection = connection;
        Transaction = transaction;
        _dataVersion = dataVersion;
        _owned = owned;
    }

    public NpgsqlConnection Connection { get; }

    /// <summary>The transaction in force: the write's, then the snapshot's.</summary>
    public NpgsqlTransaction Transaction { get; private set; }

    /// <summary>A write transaction of its own on the primary, the write lock held.</summary>
    public static async Task<PostgresWriteSession> BeginAsync(PostgresConnections database, PostgresDataVersion dataVersion, CancellationToken ct)
    {
        var (connection, transaction) = await database.BeginWriteAsync(ct);
        return new PostgresWriteSession(connection, transaction, dataVersion, owned: true);
    }

    /// <summary>A session inside the caller's write transaction (it commits, and forgets the data version).</summary>
    public static PostgresWriteSession Within(NpgsqlConnection connection, NpgsqlTransaction transaction) => new(connection, transaction, null, owned: false);

    protected override async Task CommitWriteAsync(CancellationToken ct)
    {
        await Transaction.CommitAsync(ct);
        _dataVersion?.Invalidate();
    }

    public override Task RollbackAsync(CancellationToken ct) => Transaction.RollbackAsync(ct);

    /// <summary>
    /// A serialization failure or a deadlock (which the write lock should make impossible), or a unique key taken by a
    /// writer that did not hold the lock: the transaction is aborted whole, and the write is made again, so that it is
    /// answered as on SQLite (the id taken is a 409 naming it, never a 500).
    /// </summary>
    public override bool IsRetryable(Exception exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.UniqueViolation };

    public override async Task BeginSnapshotAsync(CancellationToken ct)
    {
        await Transaction.DisposeAsync();
        Transaction = await Connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
    }

    public override Task EndSnapshotAsync(CancellationToken ct) => Transaction.CommitAsync(ct);

    public override async Task<RecordState?> StateAsync(string resource, string id, CancellationToken ct) =>
        PostgresText.Comparable(id) && await Connection.QuerySingleOrDefaultAsync<StateRow>(new CommandDefinition(
            $"SELECT version, deleted_at, deleted_by FROM {StoredColumns.Table(resource)} WHERE id = @id;",
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
        PostgresTimelineWriter.SetDeletedAsync(Connection, Transaction, resource, id, deleted, document, change, ct);

    public override Task TouchAsync(Change change, CancellationToken ct) => PostgresTimelineWriter.TouchAsync(Connection, Transaction, change, ct);

    public override async ValueTask DisposeAsync()
    {
        if (_owned)
        {
            await Transaction.DisposeAsync();
            await Connection.DisposeAsync();
        }
    }
}
