namespace Timeline.Store.Sqlite;

/// <summary>Registers the SQLite engine's services behind the store contracts.</summary>
public static partial class SqliteStoreServices
{
    /// <summary>
    /// The write side: record writes (<see cref="IRecordWriter{TRecord}"/> for events, entities and sources), their
    /// history and the change feed (<see cref="IRecordHistory"/>), dataset import, export and reseed
    /// (<see cref="IDatasetStore"/>), and the startup migration and seeding (a hosted service).
    /// </summary>
    private static IServiceCollection AddSqliteWrites(this IServiceCollection services)
    {
        services.AddSingleton<StoreInitializer>();
        services.AddHostedService(sp => sp.GetRequiredService<StoreInitializer>());
        services.AddSingleton<IRecordWriter<EventDetail>>(sp => Writer(sp, new EventKind()));
        services.AddSingleton<IRecordWriter<EntityItem>>(sp => Writer(sp, new EntityKind()));
        services.AddSingleton<IRecordWriter<SourceDetail>>(sp => Writer(sp, new SourceKind()));
        services.AddSingleton<IEventMerger>(sp => new EventMergeFlow<SqliteWriteSession>(new EventKind(), Begin(sp), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IRecordHistory, RecordHistory>();
        services.AddSingleton<IDatasetStore, DatasetStore>();
        services.AddSingleton<IStoreCopy, SqliteStoreCopy>();
        return services;
    }

    private static RecordWriteFlow<TValid, TRecord, SqliteWriteSession> Writer<TValid, TRecord>(IServiceProvider services, RecordKind<TValid, TRecord, SqliteWriteSession> kind)
        where TValid : class
        where TRecord : class =>
        new(kind, Begin(services), services.GetRequiredService<TimeProvider>());

    /// <summary>How a write flow begins its transaction: an immediate one on a connection of its own.</summary>
    private static Func<CancellationToken, Task<SqliteWriteSession>> Begin(IServiceProvider services)
    {
        var database = services.GetRequiredService<SqliteConnections>();
        var state = services.GetRequiredService<DataVersionCache>();
        return ct => SqliteWriteSession.BeginAsync(database, state, ct);
    }
}
