namespace Timeline.Store.Postgres;

public static partial class PostgresStoreServices
{
    /// <summary>
    /// The write side: record writes (<see cref="IRecordWriter{TRecord}"/> for events, entities and sources) and merges
    /// through the engine-neutral flows (<see cref="RecordWriteFlow{TValid, TRecord, TSession}"/>,
    /// <see cref="EventMergeFlow{TSession}"/>) on PostgreSQL write sessions, and the history and change feed
    /// (<see cref="IRecordHistory"/>).
    /// </summary>
    private static IServiceCollection AddPostgresWrites(this IServiceCollection services)
    {
        services.AddSingleton<IRecordWriter<EventDetail>>(sp => Writer(sp, new PostgresEventKind()));
        services.AddSingleton<IRecordWriter<EntityItem>>(sp => Writer(sp, new PostgresEntityKind()));
        services.AddSingleton<IRecordWriter<SourceDetail>>(sp => Writer(sp, new PostgresSourceKind()));
        services.AddSingleton<IEventMerger>(sp => new EventMergeFlow<PostgresWriteSession>(new PostgresEventKind(), BeginWrite(sp), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IRecordHistory, PostgresRecordHistory>();
        return services;
    }

    private static RecordWriteFlow<TValid, TRecord, PostgresWriteSession> Writer<TValid, TRecord>(IServiceProvider services, RecordKind<TValid, TRecord, PostgresWriteSession> kind)
        where TValid : class
        where TRecord : class =>
        new(kind, BeginWrite(services), services.GetRequiredService<TimeProvider>());

    /// <summary>How a write flow begins its transaction: on the primary, the write lock held.</summary>
    private static Func<CancellationToken, Task<PostgresWriteSession>> BeginWrite(IServiceProvider services)
    {
        var database = services.GetRequiredService<PostgresConnections>();
        var dataVersion = services.GetRequiredService<PostgresDataVersion>();
        return ct => PostgresWriteSession.BeginAsync(database, dataVersion, ct);
    }
}
