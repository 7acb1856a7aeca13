using System.Data;
using Npgsql;

namespace Timeline.Store.Postgres;

/// <summary>
/// A read that spans several statements sees one state of the store: a read-only, repeatable-read transaction (on a
/// standby too), with the data version of that state.
/// </summary>
public static class PostgresReadSnapshot
{
    public static async Task<NpgsqlTransaction> BeginAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        await using var readOnly = new NpgsqlCommand("SET TRANSACTION READ ONLY;", connection, transaction);
        await readOnly.ExecuteNonQueryAsync(cancellationToken);
        return transaction;
    }

    /// <summary>Runs <paramref name="read"/> in a snapshot on a read connection (a standby's when reads may go there).</summary>
    public static async Task<T> ReadAsync<T>(PostgresConnections database, Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> read, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenReadAsync(cancellationToken);
        await using var snapshot = await BeginAsync(connection, cancellationToken);
        var result = await read(connection, snapshot);
        await snapshot.CommitAsync(cancellationToken);
        return result;
    }

    /// <summary>The data version of the snapshot's state.</summary>
    public static async Task<long> DataVersionAsync(NpgsqlConnection connection, NpgsqlTransaction snapshot, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT data_version FROM store_state WHERE id = 1;", connection, snapshot);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
