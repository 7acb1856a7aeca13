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
        services.AddSingleton<IEventMerger>(sp => new EventMerger(
            sp.GetRequiredService<SqliteConnections>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<DataVersionCache>()));
        services.AddSingleton<IRecordHistory, RecordHistory>();
        services.AddSingleton<IDatasetStore, DatasetStore>();
        services.AddSingleton<IStoreCopy, SqliteStoreCopy>();
        return services;
    }

    private static RecordWriter<TValid, TRecord> Writer<TValid, TRecord>(IServiceProvider services, RecordKind<TValid, TRecord> kind)
        where TValid : class
        where TRecord : class =>
        new(kind, services.GetRequiredService<SqliteConnections>(), services.GetRequiredService<TimeProvider>(), services.GetRequiredService<DataVersionCache>());
}
