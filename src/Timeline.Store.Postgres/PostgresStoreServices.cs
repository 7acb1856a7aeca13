namespace Timeline.Store.Postgres;

/// <summary>
/// The PostgreSQL engine's services, registered behind the store contracts of Timeline.Model.Store. The API's
/// composition root calls <see cref="AddPostgresStore"/> when Timeline:Store is postgres; each area registers in its
/// own file (PostgresStoreServices.Reads.cs, .Facets.cs, .Search.cs, .Writes.cs, .Dataset.cs, .Maintenance.cs).
/// </summary>
public static partial class PostgresStoreServices
{
    public static IServiceCollection AddPostgresStore(this IServiceCollection services)
    {
        Dapper.DefaultTypeMap.MatchNamesWithUnderscores = true;
        services.AddSingleton<PostgresConnections>();
        services.AddSingleton<PostgresDataVersion>();
        services.AddSingleton<IDataVersion>(sp => sp.GetRequiredService<PostgresDataVersion>());
        services.AddPostgresReads();
        services.AddPostgresFacets();
        services.AddPostgresSearch();
        services.AddPostgresWrites();
        services.AddPostgresDataset();
        services.AddPostgresMaintenance();
        return services;
    }
}
