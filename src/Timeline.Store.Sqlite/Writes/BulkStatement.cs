using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Timeline.Store.Sqlite;

/// <summary>
/// One SQLite statement prepared once on a connection and run many times with values bound by position,
/// straight through SQLite's C API: for bulk loads, where ADO.NET's per-execution work (a data reader per
/// call, every parameter looked up by name) costs more than SQLite's own. Runs inside whatever transaction the
/// connection has open; any error is thrown as the <see cref="SqliteException"/> ADO.NET would throw.
/// </summary>
public sealed class BulkStatement : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;

    public BulkStatement(SqliteConnection connection, string sql)
    {
        _db = connection.Handle ?? throw new InvalidOperationException("the connection is not open");
        Check(raw.sqlite3_prepare_v2(_db, sql, out _statement));
        ParameterCount = raw.sqlite3_bind_parameter_count(_statement);
    }

    /// <summary>How many values each run takes.</summary>
    public int ParameterCount { get; }

    /// <summary>Binds the values (in the order the statement names its parameters) and runs the statement once.</summary>
    public void Run(params ReadOnlySpan<object?> values)
    {
        if (values.Length != ParameterCount)
        {
            throw new ArgumentException($"the statement takes {ParameterCount} values, not {values.Length}", nameof(values));
        }

        for (var i = 0; i < values.Length; i++)
        {
            var index = i + 1;
            Check(values[i] switch
            {
                null => raw.sqlite3_bind_null(_statement, index),
                string text => raw.sqlite3_bind_text(_statement, index, text),
                Utf8Text text => raw.sqlite3_bind_text(_statement, index, text.Bytes.AsSpan()),
                long number => raw.sqlite3_bind_int64(_statement, index, number),
                int number => raw.sqlite3_bind_int64(_statement, index, number),
                var other => throw new ArgumentException($"cannot bind a {other.GetType().Name}", nameof(values)),
            });
        }

        var result = raw.sqlite3_step(_statement);
        if (result != raw.SQLITE_DONE && result != raw.SQLITE_ROW)
        {
            var error = new SqliteException(raw.sqlite3_errmsg(_db).utf8_to_string(), result, raw.sqlite3_extended_errcode(_db));
            raw.sqlite3_reset(_statement);
            throw error;
        }

        raw.sqlite3_reset(_statement);
    }

    public void Dispose() => _statement.Dispose();

    private void Check(int result)
    {
        if (result != raw.SQLITE_OK)
        {
            throw new SqliteException(raw.sqlite3_errmsg(_db).utf8_to_string(), result, raw.sqlite3_extended_errcode(_db));
        }
    }
}

/// <summary>Text already encoded as UTF-8, bound as TEXT (a byte[] alone would be a BLOB).</summary>
public sealed record Utf8Text(byte[] Bytes);
