using System.Diagnostics;
using Npgsql;
using Timeline.Model.Store.Engine;

namespace Timeline.Store.Postgres;

/// <summary>
/// The PostgreSQL engine's statements in the store's telemetry, as the SQLite engine's ConnectionHooks do for SQLite:
/// each statement's duration in <c>timeline.db.statement.duration</c> by operation (engine="postgres"), and, while someone
/// listens to the store's activity source and the statement ran under an operation's activity (a request's), an activity
/// of <see cref="StoreTelemetry.ActivitySourceName"/>: a child of that operation, with the statement's text.
/// <para>
/// Npgsql times each command as an activity of its own "Npgsql" source. This engine's data source marks the activities of
/// its own commands (a tracing enrichment callback, so another host's or another data source's commands in the same
/// process are never counted here), one process-wide listener makes them, and when a marked one stops its owner records
/// it and makes the store's activity from its start and duration. While the command runs, a cancellation of the
/// operation it serves (<see cref="IAmbientCancellation"/>: the request timed out or its client went away) cancels it on
/// the server, also where the statement was handed no token.
/// </para>
/// </summary>
public sealed class PostgresStatementTelemetry(StoreMetrics metrics, IAmbientCancellation? requests = null)
{
    private const string OwnerProperty = "timeline.store.statement";

    /// <summary>One listener for the process: Npgsql's source is process-wide, the marks tell the owners apart.</summary>
    private static readonly ActivityListener Listener = CreateListener();

    /// <summary>A statement of this engine's, while it runs.</summary>
    private sealed class Statement(PostgresStatementTelemetry owner, string text)
    {
        public PostgresStatementTelemetry Owner { get; } = owner;

        public string Text { get; } = text;

        public CancellationTokenRegistration Cancellation { get; set; }
    }

    /// <summary>Marks this data source's commands (and COPY operations) so that their activities are recorded here.</summary>
    public void Configure(NpgsqlDataSourceBuilder builder)
    {
        GC.KeepAlive(Listener);
        builder.ConfigureTracing(tracing => tracing
            .ConfigureCommandEnrichmentCallback((activity, command) => Started(activity, command.CommandText, command))
            .ConfigureBatchEnrichmentCallback((activity, batch) => Started(activity, batch.BatchCommands.Count > 0 ? batch.BatchCommands[0].CommandText : string.Empty, null))
            .ConfigureCopyOperationEnrichmentCallback((activity, command) => Started(activity, command, null)));
    }

    private void Started(Activity activity, string text, NpgsqlCommand? command)
    {
        try
        {
            var statement = new Statement(this, text);
            if (command is not null && requests?.Current is { CanBeCanceled: true } token && !token.IsCancellationRequested)
            {
                statement.Cancellation = token.UnsafeRegister(
                    static state =>
                    {
                        var (owner, running) = ((PostgresStatementTelemetry, NpgsqlCommand))state!;
                        owner.Interrupt(running);
                    },
                    (this, command));
            }

            activity.SetCustomProperty(OwnerProperty, statement);
        }
        catch (Exception)
        {
            // Telemetry never fails a statement.
        }
    }

    private void Interrupt(NpgsqlCommand command)
    {
        try
        {
            metrics.InterruptedStatements.Add(1);
            command.Cancel(); // nothing when the command is no longer in progress
        }
        catch (Exception)
        {
            // The command finished or its connection closed meanwhile: nothing is left to stop.
        }
    }

    private void Stopped(Activity npgsql, Statement statement)
    {
        statement.Cancellation.Dispose();
        var operation = StatementOperation.Of(statement.Text);
        metrics.StatementDuration.Record(npgsql.Duration.TotalSeconds, new KeyValuePair<string, object?>("db.operation", operation));
        if (!metrics.Statements.HasListeners() || npgsql.Parent is not { } parent)
        {
            return; // measured, not traced: no one listens, or the statement ran outside any traced operation (startup, background work)
        }

        var current = Activity.Current;
        try
        {
            using var activity = metrics.StartStatement(operation, npgsql.StartTimeUtc, parent.Context);
            if (activity is null)
            {
                return;
            }

            if (activity.IsAllDataRequested)
            {
                activity.SetTag("db.query.text", statement.Text);
                if (npgsql.Status == ActivityStatusCode.Error)
                {
                    activity.SetStatus(ActivityStatusCode.Error, npgsql.StatusDescription);
                }
            }

            activity.SetEndTime(npgsql.StartTimeUtc + npgsql.Duration);
        }
        finally
        {
            // The store's activity was made after the fact, wherever the command's end happened to run: the flow goes on
            // with the activity it had.
            Activity.Current = current;
        }
    }

    private static ActivityListener CreateListener()
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Npgsql",
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = static activity =>
            {
                if (activity.GetCustomProperty(OwnerProperty) is Statement statement)
                {
                    activity.SetCustomProperty(OwnerProperty, null);
                    try
                    {
                        statement.Owner.Stopped(activity, statement);
                    }
                    catch (Exception)
                    {
                        // A lost measurement is harmless; an exception must not cross back into Npgsql.
                    }
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }
}
