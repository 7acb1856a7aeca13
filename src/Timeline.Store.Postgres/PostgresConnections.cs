using System.Data;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace Timeline.Store.Postgres;

/// <summary>
/// The one place that opens connections to the PostgreSQL store. <c>ConnectionStrings:Timeline</c> is an ordinary Npgsql
/// connection string; it may name several hosts (<c>Host=primary,standby</c>). Writes, and the reads that decide them
/// (If-Match), always go to the primary (<see cref="OpenAsync"/>, <see cref="BeginWriteAsync"/>). Other reads
/// (<see cref="OpenReadAsync"/>) go to a standby when <c>Timeline:Postgres:ReadsFromStandby</c> is true and one is up
/// (Npgsql's target session attribute prefer-standby), else to the primary.
/// </summary>
public sealed class PostgresConnections : IAsyncDisposable
{
    /// <summary>The key of the transaction-level advisory lock every write transaction holds (the store's one writer at a time).</summary>
    public const long WriteLockKey = 0x54696d656c696e65; // "Timeline"

    /// <summary>The key of the advisory lock migrations and the first seeding hold, so that replicas starting together migrate once.</summary>
    public const long MigrationLockKey = 0x54696d656c696e66;

    private readonly NpgsqlMultiHostDataSource _hosts;
    private readonly NpgsqlDataSource _primary;
    private readonly NpgsqlDataSource _reads;

    public PostgresConnections(IConfiguration configuration, IOptions<TimelineOptions> options, PostgresStatementTelemetry? telemetry = null)
    {
        var connectionString = configuration.GetConnectionString("Timeline");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                "Timeline:Store is postgres but ConnectionStrings:Timeline is not set (environment: ConnectionStrings__Timeline=\"Host=...;Database=...;Username=...;Password=...\").");
        }

        var settings = options.Value;
        CommandTimeoutSeconds = settings.CommandTimeoutSeconds;
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!builder.ContainsKey("Command Timeout"))
        {
            builder.CommandTimeout = settings.CommandTimeoutSeconds;
        }

        if (string.IsNullOrEmpty(builder.ApplicationName))
        {
            builder.ApplicationName = "timeline";
        }

        // Statements prepared on the server after a few uses (Npgsql's automatic preparation), unless the connection string
        // says otherwise: the same few statements serve every request, and planning one (the event's, with its subqueries)
        // cost as much as running it. Measured at 1,000,000 events: one event by id 934 -> 2,069 requests/s.
        if (!builder.ContainsKey("Max Auto Prepare"))
        {
            builder.MaxAutoPrepare = 64;
        }

        ConnectionString = builder.ConnectionString;
        ReadsFromStandby = settings.Postgres.ReadsFromStandby;
        var dataSource = new NpgsqlDataSourceBuilder(ConnectionString);
        telemetry?.Configure(dataSource); // statement durations and activities (Operations/PostgresStatementTelemetry.cs)
        _hosts = dataSource.BuildMultiHost();
        _primary = _hosts.WithTargetSession(TargetSessionAttributes.Primary);
        _reads = ReadsFromStandby ? _hosts.WithTargetSession(TargetSessionAttributes.PreferStandby) : _primary;
    }

    /// <summary>The connection string every connection uses (with the command timeout and application name set).</summary>
    public string ConnectionString { get; }

    /// <summary>The timeout given to every command, in seconds.</summary>
    public int CommandTimeoutSeconds { get; }

    /// <summary>Whether reads that decide no write may be served by a standby.</summary>
    public bool ReadsFromStandby { get; }

    /// <summary>A pooled connection to the primary: for writes and for the reads that decide them.</summary>
    public async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken) =>
        await _primary.OpenConnectionAsync(cancellationToken);

    /// <summary>A pooled connection for reads: a standby's when allowed and one is up, else the primary's.</summary>
    public async Task<NpgsqlConnection> OpenReadAsync(CancellationToken cancellationToken) =>
        await _reads.OpenConnectionAsync(cancellationToken);

    /// <summary>
    /// A write transaction on the primary, holding the store's write lock until it commits or rolls back: writes run one
    /// at a time, as on SQLite, so revisions (the change feed's positions) are numbered in commit order.
    /// </summary>
    public async Task<(NpgsqlConnection Connection, NpgsqlTransaction Transaction)> BeginWriteAsync(CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken);
        try
        {
            var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
            await using (var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key);", connection, transaction))
            {
                command.Parameters.AddWithValue("key", WriteLockKey);
                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            return (connection, transaction);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public ValueTask DisposeAsync() => _hosts.DisposeAsync();
}
