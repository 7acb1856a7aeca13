using System.Collections;
using System.Collections.Concurrent;
using System.Numerics;
using System.Text;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Timeline.Store.Sqlite;

/// <summary>
/// Open connections kept with their prepared statements, for the reads every request makes (a page of events, one
/// event). Microsoft.Data.Sqlite pools connections but finalizes a command's statements when the command is
/// disposed or its connection closed, so a query asked again is parsed and planned again; for the list and record
/// queries that planning costs as much as running them. A session keeps its connection open and one command per
/// statement text, so SQLite only resets and rebinds a statement it has already prepared.
/// </summary>
/// <remarks>
/// A session serves one request at a time. At most <see cref="MaxIdle"/> sessions wait between requests; more are
/// opened under a burst and closed when returned. A session whose command failed is closed, not returned. Statements
/// stay valid across writes and schema changes (SQLite prepares them again by itself when the schema moves). When the
/// server stops, <see cref="Close"/> closes the waiting sessions and every session returned later, before the store
/// is checkpointed.
/// </remarks>
public sealed class ReadSessions(SqliteConnections database) : IDisposable
{
    /// <summary>How many sessions wait between requests (each holds an open connection and its 1 MiB page cache).</summary>
    public const int MaxIdle = 16;

    private readonly ConcurrentBag<ReadSession> _idle = [];
    private int _idleCount;
    private volatile bool _disposed;

    /// <summary>An idle session, or a new one on a newly opened connection.</summary>
    public async ValueTask<ReadSession> RentAsync(CancellationToken cancellationToken)
    {
        if (_idle.TryTake(out var session))
        {
            Interlocked.Decrement(ref _idleCount);
            session.Lend();
            return session;
        }

        return new ReadSession(this, await database.OpenAsync(cancellationToken));
    }

    internal void Return(ReadSession session)
    {
        if (session.Broken || _disposed || Interlocked.Increment(ref _idleCount) > MaxIdle)
        {
            if (!session.Broken && !_disposed)
            {
                Interlocked.Decrement(ref _idleCount);
            }

            session.Close();
            return;
        }

        _idle.Add(session);
        if (_disposed && _idle.TryTake(out var late))
        {
            late.Close();
        }
    }

    /// <summary>The sessions waiting between requests (for tests).</summary>
    internal IReadOnlyList<ReadSession> Idle => [.. _idle];

    /// <summary>
    /// Closes every idle session and every session returned from now on (at shutdown, before the store's last
    /// connection checkpoints it and the lock on the store is let go).
    /// </summary>
    public void Close()
    {
        _disposed = true;
        while (_idle.TryTake(out var session))
        {
            session.Close();
        }
    }

    public void Dispose() => Close();
}

/// <summary>One open connection and its prepared commands, lent to one request. Dispose gives it back.</summary>
public sealed class ReadSession : IAsyncDisposable
{
    /// <summary>Distinct statement texts kept per session; past this, the session starts over (the filter's shapes are far fewer).</summary>
    private const int MaxCommands = 256;

    /// <summary>
    /// The memory SQLite may hold for one session's prepared statements; past this, the session starts over. A
    /// statement with a long list of entities or tags takes tens of kilobytes, and lists are padded to a power of two
    /// so that their lengths make few distinct statements; this bounds what the rest can take.
    /// </summary>
    internal const int MaxStatementBytes = 1 << 20;

    private readonly ReadSessions _owner;
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _runs = new(StringComparer.Ordinal);
    private bool _inSnapshot;
    private bool _lent = true;

    internal ReadSession(ReadSessions owner, SqliteConnection connection)
    {
        _owner = owner;
        Connection = connection;
    }

    public SqliteConnection Connection { get; }

    /// <summary>Set when a command failed or was cancelled: the session is closed instead of going back to the pool.</summary>
    internal bool Broken { get; private set; }

    /// <summary>
    /// Begins a read transaction, so that several statements see one snapshot of the store; it ends with the lease.
    /// BEGIN and ROLLBACK run as the session's own prepared statements (an ADO.NET transaction would prepare them,
    /// and set a pragma, on every lease); statements run through Dapper on <see cref="Connection"/> meanwhile are
    /// inside it without naming a transaction.
    /// </summary>
    public void BeginSnapshot()
    {
        if (!_inSnapshot)
        {
            Run("BEGIN;");
            _inSnapshot = true;
        }
    }

    private void Run(string sql)
    {
        try
        {
            Command(sql).ExecuteNonQuery();
        }
        catch
        {
            Broken = true;
            throw;
        }
    }

    /// <summary>
    /// Runs <paramref name="sql"/> with the parameters (as the filter model collects them for Dapper: a list value
    /// after IN is expanded to one parameter per item, as Dapper does) and hands the reader to <paramref name="read"/>.
    /// A list's parameters are padded to the next power of two with its last item again (the same matches), so
    /// lists of 5 to 8 items share one statement.
    /// </summary>
    public async Task<T> QueryAsync<T>(string sql, DynamicParameters? parameters, Func<SqliteDataReader, T> read, CancellationToken cancellationToken)
    {
        var values = new List<KeyValuePair<string, object?>>();
        if (parameters is not null)
        {
            foreach (var name in parameters.ParameterNames)
            {
                var value = parameters.Get<object?>(name);
                if (value is IEnumerable list and not string and not byte[])
                {
                    var items = list.Cast<object?>().ToList();
                    var slots = items.Count == 0 ? 0 : (int)BitOperations.RoundUpToPowerOf2((uint)items.Count);
                    sql = ExpandList(sql, name, slots);
                    for (var i = 0; i < slots; i++)
                    {
                        values.Add(new($"@{name}{i + 1}", items[Math.Min(i, items.Count - 1)]));
                    }
                }
                else
                {
                    values.Add(new("@" + name, value));
                }
            }
        }

        var command = Command(sql);
        _runs[sql] = _runs.GetValueOrDefault(sql) + 1;
        try
        {
            foreach (var (name, value) in values)
            {
                command.Parameters.AddWithValue(name, value ?? DBNull.Value);
            }

            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var result = read(reader);
            const int Reprepare = 5; // SQLITE_STMTSTATUS_REPREPARE, read and reset
            Reprepares += SQLitePCL.raw.sqlite3_stmt_status(reader.Handle, Reprepare, 1);
            return result;
        }
        catch
        {
            Broken = true;
            throw;
        }
        finally
        {
            command.Parameters.Clear();
        }
    }

    private SqliteCommand Command(string sql)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            if (_commands.Count >= MaxCommands || PreparedStatementBytes > MaxStatementBytes)
            {
                DisposeCommands();
                _runs.Clear();
            }

            command = Connection.CreateCommand();
            command.CommandText = sql;
            _commands.Add(sql, command);
        }

        return command;
    }

    /// <summary>"IN @Name" becomes "IN (@Name1, @Name2, ...)" (an empty list matches nothing, as with Dapper).</summary>
    private static string ExpandList(string sql, string name, int count)
    {
        var expanded = count == 0
            ? "IN (SELECT NULL WHERE 0)"
            : new StringBuilder("IN (").AppendJoin(", ", Enumerable.Range(1, count).Select(i => $"@{name}{i}")).Append(')').ToString();
        var pattern = "IN @" + name;
        var result = new StringBuilder(sql.Length + expanded.Length);
        var start = 0;
        for (var at = sql.IndexOf(pattern, StringComparison.Ordinal); at >= 0; at = sql.IndexOf(pattern, start, StringComparison.Ordinal))
        {
            var end = at + pattern.Length;
            var whole = end == sql.Length || !(char.IsAsciiLetterOrDigit(sql[end]) || sql[end] == '_');
            result.Append(sql, start, at - start).Append(whole ? expanded : pattern);
            start = end;
        }

        return result.Append(sql, start, sql.Length - start).ToString();
    }

    public ValueTask DisposeAsync()
    {
        if (!_lent)
        {
            return ValueTask.CompletedTask;
        }

        _lent = false;
        if (_inSnapshot)
        {
            _inSnapshot = false;
            try
            {
                Run("ROLLBACK;");
            }
            catch (Exception)
            {
                // Broken (set by Run): Return closes the session, and Close makes sure no transaction outlives it.
            }
        }

        _owner.Return(this);
        return ValueTask.CompletedTask;
    }

    internal void Lend() => _lent = true;

    /// <summary>How many times each statement text has run on this session, and how many of its commands exist (for tests).</summary>
    internal IReadOnlyDictionary<string, int> Runs => _runs;

    /// <summary>How many times SQLite prepared this session's statements again as they ran (SQLITE_STMTSTATUS_REPREPARE; for tests).</summary>
    internal int Reprepares { get; private set; }

    /// <summary>The bytes SQLite holds for this connection's prepared statements (SQLITE_DBSTATUS_STMT_USED).</summary>
    internal int PreparedStatementBytes
    {
        get
        {
            const int StatementsUsed = 3; // SQLITE_DBSTATUS_STMT_USED
            _ = SQLitePCL.raw.sqlite3_db_status(Connection.Handle, StatementsUsed, out var current, out _, 0);
            return current;
        }
    }

    internal void Close()
    {
        DisposeCommands();
        var handle = Connection.Handle;
        if (handle is not null && SQLitePCL.raw.sqlite3_get_autocommit(handle) == 0)
        {
            // Still inside a transaction (a ROLLBACK failed): disposing would hand the physical connection back to
            // Microsoft.Data.Sqlite's pool as it is, and the next writer's BEGIN on it would fail. Roll back here;
            // if even that fails, the pool is cleared, so the handle is closed rather than reused.
            _ = SQLitePCL.raw.sqlite3_exec(handle, "ROLLBACK;");
            if (SQLitePCL.raw.sqlite3_get_autocommit(handle) == 0)
            {
                SqliteConnection.ClearPool(Connection);
            }
        }

        Connection.Dispose();
    }

    private void DisposeCommands()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }

        _commands.Clear();
    }
}
