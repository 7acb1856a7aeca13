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
        ConnectionString = WithDefaults(connectionString);
        ReadsFromStandby = settings.Postgres.ReadsFromStandby;
        var dataSource = new NpgsqlDataSourceBuilder(ConnectionString);
        telemetry?.Configure(dataSource); // statement durations and activities (Operations/PostgresStatementTelemetry.cs)
        _hosts = dataSource.BuildMultiHost();
        _primary = _hosts.WithTargetSession(TargetSessionAttributes.Primary);
        _reads = ReadsFromStandby ? _hosts.WithTargetSession(TargetSessionAttributes.PreferStandby) : _primary;
    }

    /// <summary>
    /// The connection string with the store's defaults for what it does not say itself (a setting it gives is kept):
    /// <list type="bullet">
    /// <item><c>Application Name</c>: timeline (what pg_stat_activity shows).</item>
    /// <item><c>Max Auto Prepare</c>: 64. The same few statements serve every request; prepared on the server after a
    /// few uses, they are planned once per connection instead of on every request. At 1,000,000 events planning cost as
    /// much as running: a list 0.4 ms of each 0.7, one event 0.9 of 2.4.</item>
    /// <item><c>No Reset On Close</c>: true. The store keeps no state in a session (every SET is SET LOCAL, every
    /// advisory lock a transaction's), so the reset Npgsql otherwise sends when a connection goes back to the pool is
    /// not needed (pg_stat_statements counted a DISCARD ALL per request before this was set).</item>
    /// </list>
    /// Whether the string gives a setting is read from its own keys (any spelling Npgsql accepts: "Max Auto Prepare",
    /// "MaxAutoPrepare", any case): NpgsqlConnectionStringBuilder.ContainsKey answers true for every keyword it knows,
    /// given or not. (So statements keep Npgsql's own command timeout, 30 s, unless the string sets one: the store's
    /// long statements, an index built by a migration or a load, run on connections of this string.)
    /// </summary>
    public static string WithDefaults(string connectionString)
    {
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString }.Keys
            .Cast<string>()
            .Select(Keyword)
            .ToHashSet(StringComparer.Ordinal);
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!given.Contains(Keyword("Application Name")))
        {
            builder.ApplicationName = "timeline";
        }

        if (!given.Contains(Keyword("Max Auto Prepare")))
        {
            builder.MaxAutoPrepare = 64;
        }

        if (!given.Contains(Keyword("No Reset On Close")))
        {
            builder.NoResetOnClose = true;
        }

        return builder.ConnectionString;

        static string Keyword(string key) => key.Replace(" ", string.Empty, StringComparison.Ordinal).ToLowerInvariant();
    }

    /// <summary>The connection string every connection uses (with the command timeout and application name set).</summary>
    public string ConnectionString { get; }

    /// <summary>The timeout given to every command, in seconds.</summary>
    public int CommandTimeoutSeconds { get; }

    /// <summary>Whether reads that decide no write may be served by a standby.</summary>
    public bool ReadsFromStandby { get; }

    /// <summary>A pooled connection to the primary: for writes and for the reads that decide them.</summary>
    public Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken) =>
        OpenOnAsync(_primary, cancellationToken);

    /// <summary>A pooled connection for reads: a standby's when allowed and one is up, else the primary's.</summary>
    public Task<NpgsqlConnection> OpenReadAsync(CancellationToken cancellationToken) =>
        OpenOnAsync(_reads, cancellationToken);

    /// <summary>
    /// A connection from the data source; a failure to open one (the server down or unreachable, refusing connections,
    /// no host of the right kind, the pool exhausted) is a <see cref="PostgresUnavailableException"/>, which the API
    /// answers with 503 (<see cref="PostgresStoreHealth.Classify"/>) instead of a fault's 500.
    /// </summary>
    private static async Task<NpgsqlConnection> OpenOnAsync(NpgsqlDataSource source, CancellationToken cancellationToken)
    {
        try
        {
            return await source.OpenConnectionAsync(cancellationToken);
        }
        catch (Exception ex) when ((ex is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException) && !cancellationToken.IsCancellationRequested)
        {
            throw new PostgresUnavailableException(ex);
        }
    }

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

/// <summary>No connection to the PostgreSQL store could be opened; the cause is the inner exception.</summary>
public sealed class PostgresUnavailableException(Exception cause)
    : Exception($"The PostgreSQL store could not be reached: {cause.Message}", cause);
