using System.Data;
using System.Runtime.CompilerServices;
using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace Timeline.Store.Postgres;

/// <summary>
/// The PostgreSQL side of copy-store (<see cref="IStoreCopy"/>): reads every table from one repeatable-read snapshot,
/// or loads a whole store into an empty database by COPY in one write transaction, keeping every revision's position,
/// every record's seq and version, and the data version; the change feed's identity then goes on after the highest
/// position, and the search rows are built anew.
/// </summary>
internal sealed class PostgresStoreCopy(PostgresConnections database, PostgresDataVersion state) : IStoreCopy
{
    public string Location
    {
        get
        {
            var builder = new NpgsqlConnectionStringBuilder(database.ConnectionString);
            return $"PostgreSQL database {builder.Database} on {builder.Host}";
        }
    }

    public Task MigrateAsync(CancellationToken cancellationToken) => PostgresMigrator.MigrateAsync(database, cancellationToken);

    public async Task<IStoreCopySource> OpenSourceAsync(CancellationToken cancellationToken)
    {
        var connection = await database.OpenAsync(cancellationToken);
        try
        {
            var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
            await connection.ExecuteAsync(new CommandDefinition(
                "SET TRANSACTION READ ONLY; SET LOCAL statement_timeout = 0;", transaction: transaction, cancellationToken: cancellationToken));
            return new Source(connection, transaction);
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
        var (connection, transaction) = await database.BeginWriteAsync(cancellationToken);
        await using (connection)
        await using (transaction)
        {
            await connection.ExecuteAsync(new CommandDefinition("SET LOCAL statement_timeout = 0;", transaction: transaction, cancellationToken: cancellationToken));
            var held = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                "SELECT (SELECT count(*) FROM sources) + (SELECT count(*) FROM entities) + (SELECT count(*) FROM events) + (SELECT count(*) FROM revisions);",
                transaction: transaction,
                cancellationToken: cancellationToken));
            if (held > 0)
            {
                throw new StoreNotEmptyException(Location, $"{held} records and revisions");
            }

            var bulk = new PostgresBulkWriter(connection, "copy", string.Empty, null);
            var deferred = await bulk.DeferIndexesAsync(transaction, cancellationToken);
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

                counts[table.Name] = await CopyAsync(connection, table, source.RowsAsync(table, cancellationToken), cancellationToken);
            }

            // Identities go on after the highest copied value: the next write takes the next position of the change feed.
            foreach (var table in new[] { "sources", "entities", "events", "revisions" })
            {
                await connection.ExecuteAsync(new CommandDefinition(
                    $"SELECT setval(pg_get_serial_sequence('{table}', 'seq'), GREATEST((SELECT max(seq) FROM {table}), 1), (SELECT max(seq) FROM {table}) IS NOT NULL);",
                    transaction: transaction,
                    cancellationToken: cancellationToken));
            }

            await bulk.RestoreIndexesAsync(transaction, deferred, cancellationToken);
            await PostgresSearchIndex.RebuildAsync(connection, transaction, cancellationToken);
            await PostgresDatasetImport.AnalyzeAsync(connection, transaction, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        state.Invalidate();
        return counts;
    }

    private static async Task<long> CopyAsync(NpgsqlConnection connection, StoreCopyTable table, IAsyncEnumerable<object?[]> rows, CancellationToken ct)
    {
        var columns = string.Join(", ", table.Columns.Select(c => c.Name));
        var types = await ColumnTypesAsync(connection, table, ct);
        await using var importer = await connection.BeginBinaryImportAsync($"COPY {table.Name} ({columns}) FROM STDIN (FORMAT BINARY)", ct);
        importer.Timeout = TimeSpan.Zero;
        long count = 0;
        await foreach (var row in rows.WithCancellation(ct))
        {
            await importer.StartRowAsync(ct);
            for (var i = 0; i < row.Length; i++)
            {
                if (row[i] is null)
                {
                    await importer.WriteNullAsync(ct);
                    continue;
                }

                switch (types[i])
                {
                    case NpgsqlDbType.Integer:
                        await importer.WriteAsync(checked((int)(long)row[i]!), NpgsqlDbType.Integer, ct);
                        break;
                    case NpgsqlDbType.Bigint:
                        await importer.WriteAsync((long)row[i]!, NpgsqlDbType.Bigint, ct);
                        break;
                    case NpgsqlDbType.Boolean:
                        await importer.WriteAsync((bool)row[i]!, NpgsqlDbType.Boolean, ct);
                        break;
                    default:
                        await importer.WriteAsync((string)row[i]!, NpgsqlDbType.Text, ct);
                        break;
                }
            }

            count++;
        }

        await importer.CompleteAsync(ct);
        return count;
    }

    /// <summary>The PostgreSQL type of each column (an integer column is integer or bigint here).</summary>
    private static async Task<NpgsqlDbType[]> ColumnTypesAsync(NpgsqlConnection connection, StoreCopyTable table, CancellationToken ct)
    {
        var types = (await connection.QueryAsync<(string Name, string Type)>(new CommandDefinition(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = @Name;",
            new { table.Name },
            cancellationToken: ct))).ToDictionary(c => c.Name, c => c.Type, StringComparer.Ordinal);
        return [.. table.Columns.Select(c => types.GetValueOrDefault(c.Name) switch
        {
            "integer" => NpgsqlDbType.Integer,
            "bigint" => NpgsqlDbType.Bigint,
            "boolean" => NpgsqlDbType.Boolean,
            _ => NpgsqlDbType.Text,
        })];
    }

    /// <summary>One repeatable-read snapshot, read table by table; text orders ordinally whatever the database's collation.</summary>
    private sealed class Source(NpgsqlConnection connection, NpgsqlTransaction transaction) : IStoreCopySource
    {
        public async IAsyncEnumerable<object?[]> RowsAsync(StoreCopyTable table, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            var order = string.Join(", ", table.OrderBy.Split(',', StringSplitOptions.TrimEntries).Select(name =>
                table.Columns.Single(c => c.Name == name).Kind == StoreColumnKind.Text ? $"{name} COLLATE \"C\"" : name));
            await using var command = new NpgsqlCommand(
                $"SELECT {string.Join(", ", table.Columns.Select(c => c.Name))} FROM {table.Name} ORDER BY {order};", connection, transaction);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var row = new object?[table.Columns.Count];
                for (var i = 0; i < row.Length; i++)
                {
                    row[i] = reader.IsDBNull(i) ? null : table.Columns[i].Kind switch
                    {
                        StoreColumnKind.Number => Convert.ToInt64(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture),
                        StoreColumnKind.Boolean => reader.GetBoolean(i),
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
