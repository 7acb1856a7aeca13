using System.Runtime.CompilerServices;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Timeline.Store.Sqlite;

/// <summary>
/// The SQLite side of copy-store (<see cref="IStoreCopy"/>): reads every table from one read transaction, or loads a
/// whole store into an empty file in one immediate transaction, keeping every revision's position, every record's seq
/// and version, and the data version. Events are numbered in timeline order (<see cref="TimelineOrder"/>), and the
/// entity timelines and search rows built anew.
/// </summary>
internal sealed class SqliteStoreCopy(SqliteConnections database, DataVersionCache state) : IStoreCopy
{
    public string Location => database.FilePath;

    public Task MigrateAsync(CancellationToken cancellationToken) => Migrator.MigrateAsync(database, cancellationToken);

    public async Task<IStoreCopySource> OpenSourceAsync(CancellationToken cancellationToken)
    {
        var connection = await database.OpenAsync(cancellationToken);
        try
        {
            return new Source(connection, connection.BeginTransaction(deferred: true));
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public async Task<IReadOnlyDictionary<string, long>> LoadAsync(IStoreCopySource source, CancellationToken cancellationToken)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var connection = await database.OpenAsync(cancellationToken);
        SqliteConnections.PrepareForBulkWrite(connection);
        try
        {
            await using var transaction = connection.BeginTransaction(deferred: false);
            var held = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                "SELECT (SELECT count(*) FROM sources) + (SELECT count(*) FROM entities) + (SELECT count(*) FROM events) + (SELECT count(*) FROM revisions);",
                transaction: transaction,
                cancellationToken: cancellationToken));
            if (held > 0)
            {
                throw new StoreNotEmptyException(Location, $"{held} records and revisions");
            }

            foreach (var table in StoreCopyTables.All)
            {
                if (table == StoreCopyTables.StoreState)
                {
                    await foreach (var row in source.RowsAsync(table, cancellationToken))
                    {
                        await connection.ExecuteAsync(new CommandDefinition(
                            "UPDATE store_state SET data_version = @DataVersion, updated_at = @UpdatedAt WHERE id = 1;",
                            new { DataVersion = (long)row[0]!, UpdatedAt = (string)row[1]! },
                            transaction,
                            cancellationToken: cancellationToken));
                        counts[table.Name] = 1;
                    }

                    continue;
                }

                counts[table.Name] = await InsertAsync(connection, table, source.RowsAsync(table, cancellationToken), cancellationToken);
            }

            // The engine's own: events numbered in timeline order, entity timelines and every search row built from the tables.
            await TimelineOrder.RenumberAllAsync(connection, transaction, cancellationToken);
            await connection.ExecuteAsync(new CommandDefinition("DELETE FROM sources_fts; DELETE FROM entities_fts;", transaction: transaction, cancellationToken: cancellationToken));
            using (var sources = new BulkStatement(connection, SearchIndex.IndexSourcesFromSql))
            {
                sources.Run(0L);
            }

            foreach (var id in await connection.QueryAsync<string>(new CommandDefinition("SELECT id FROM entities;", transaction: transaction, cancellationToken: cancellationToken)))
            {
                await SearchIndex.RefreshEntityAsync(connection, transaction, id, cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        }
        finally
        {
            SqliteConnections.EndBulkWrite(connection);
        }

        state.Invalidate();
        return counts;
    }

    private static async Task<long> InsertAsync(SqliteConnection connection, StoreCopyTable table, IAsyncEnumerable<object?[]> rows, CancellationToken ct)
    {
        var sql = $"INSERT INTO {table.Name} ({string.Join(", ", table.Columns.Select(c => c.Name))}) VALUES ({string.Join(", ", table.Columns.Select((_, i) => $"?{i + 1}"))});";
        using var insert = new BulkStatement(connection, sql);
        long count = 0;
        await foreach (var row in rows.WithCancellation(ct))
        {
            var values = new object?[row.Length];
            for (var i = 0; i < row.Length; i++)
            {
                values[i] = row[i] is bool flag ? (flag ? 1L : 0L) : row[i];
            }

            insert.Run(values);
            count++;
        }

        return count;
    }

    /// <summary>One read transaction, read table by table.</summary>
    private sealed class Source(SqliteConnection connection, SqliteTransaction transaction) : IStoreCopySource
    {
        public async IAsyncEnumerable<object?[]> RowsAsync(StoreCopyTable table, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = $"SELECT {string.Join(", ", table.Columns.Select(c => c.Name))} FROM {table.Name} ORDER BY {table.OrderBy};";
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var row = new object?[table.Columns.Count];
                for (var i = 0; i < row.Length; i++)
                {
                    row[i] = reader.IsDBNull(i) ? null : table.Columns[i].Kind switch
                    {
                        StoreColumnKind.Number => reader.GetInt64(i),
                        StoreColumnKind.Boolean => reader.GetInt64(i) != 0,
                        _ => reader.GetString(i),
                    };
                }

                yield return row;
            }
        }

        public async ValueTask DisposeAsync()
        {
            await transaction.DisposeAsync();
            await connection.DisposeAsync();
        }
    }
}
