using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using SQLitePCL;
using Timeline.Model.Store.Engine;

namespace Timeline.Store.Sqlite;

/// <summary>
/// Hooks into each physical SQLite connection, once, when the store opens it (Microsoft.Data.Sqlite has no
/// diagnostics events of its own):
/// <list type="bullet">
/// <item>SQLite's profile callback times every statement into <c>timeline.db.statement.duration</c>, and, while someone
/// listens to the store's activity source (a tracer, a test), makes it an activity: a child of the operation that ran it,
/// started its duration before the callback;</item>
/// <item>a progress handler interrupts a statement whose HTTP request has been cancelled, by the request timeout or
/// by the client going away. Microsoft.Data.Sqlite does not interrupt a running statement when its cancellation
/// token fires, so without this a slow query would run on after its request had been answered.</item>
/// </list>
/// The callbacks run on the thread that steps the statement, so they see the request's context, and never throw.
/// </summary>
public sealed class ConnectionHooks(StoreMetrics metrics, IAmbientCancellation requests)
{
    /// <summary>How many virtual-machine instructions SQLite runs between two looks at the request's cancellation.</summary>
    private const int InstructionsBetweenChecks = 10_000;

    private readonly ConditionalWeakTable<sqlite3, Hooks> _attached = [];

    /// <summary>Installs the hooks on the connection's physical handle, unless a previous open of it did.</summary>
    public void Attach(SqliteConnection connection)
    {
        var handle = connection.Handle;
        if (handle is null || _attached.TryGetValue(handle, out _))
        {
            return;
        }

        var hooks = new Hooks(metrics, requests);
        _attached.AddOrUpdate(handle, hooks);
        raw.sqlite3_profile(handle, hooks.OnStatementFinished, null);
        raw.sqlite3_progress_handler(handle, InstructionsBetweenChecks, hooks.OnProgress, null);
    }

    private sealed class Hooks(StoreMetrics metrics, IAmbientCancellation requests)
    {
        private const double NanosecondsPerSecond = 1e9;

        public void OnStatementFinished(object userData, utf8z statement, long nanoseconds)
        {
            try
            {
                // Only the first word matters: read at most its first bytes, not the whole statement.
                var head = Head(statement);
                if (head.StartsWith("--", StringComparison.Ordinal))
                {
                    return; // a trigger's sub-statement, already inside its parent's time
                }

                var operation = StatementOperation.Of(head);
                metrics.StatementDuration.Record(nanoseconds / NanosecondsPerSecond, new KeyValuePair<string, object?>("db.operation", operation));
                Trace(statement, operation, nanoseconds);
            }
            catch (Exception)
            {
                // An exception must never cross back into SQLite; a lost measurement is harmless.
            }
        }

        /// <summary>
        /// The statement as an activity, when the store's source has a listener and the statement runs under an operation's
        /// activity (a request's): statements outside any traced operation (startup, background rebuilds) are measured but
        /// not traced, so that each does not become a trace of its own. SQLite reports the statement once it has finished,
        /// so the activity is made then, starting the statement's duration earlier.
        /// </summary>
        private void Trace(utf8z statement, string operation, long nanoseconds)
        {
            if (!metrics.Statements.HasListeners() || Activity.Current is null)
            {
                return;
            }

            var end = DateTimeOffset.UtcNow;
            using var activity = metrics.StartStatement(operation, end - TimeSpan.FromTicks(nanoseconds / 100));
            if (activity is null)
            {
                return;
            }

            if (activity.IsAllDataRequested)
            {
                activity.SetTag("db.query.text", statement.utf8_to_string());
            }

            activity.SetEndTime(end.UtcDateTime);
        }

        /// <summary>The statement's first (up to) 24 bytes, read up to its terminating zero.</summary>
        private static string Head(utf8z statement)
        {
            ref readonly var first = ref statement.GetPinnableReference();
            if (Unsafe.IsNullRef(in first))
            {
                return string.Empty;
            }

            Span<byte> head = stackalloc byte[24];
            var length = 0;
            while (length < head.Length && Unsafe.Add(ref Unsafe.AsRef(in first), length) is var b && b != 0)
            {
                head[length++] = b;
            }

            return System.Text.Encoding.UTF8.GetString(head[..length]);
        }

        public int OnProgress(object userData)
        {
            try
            {
                if (requests.Current.IsCancellationRequested)
                {
                    metrics.InterruptedStatements.Add(1);
                    return 1;
                }
            }
            catch (Exception)
            {
                // The request is over (its context recycled); its statement is about to be finished or reset anyway.
            }

            return 0;
        }
    }
}
