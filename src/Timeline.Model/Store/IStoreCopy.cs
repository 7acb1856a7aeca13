namespace Timeline.Model.Store;

/// <summary>
/// A whole store with its history, table by table, for moving a deployment from one engine to another (the copy-store
/// command): every record (tombstones included) with its version, its tags, links, citations and aliases, the former ids
/// (key names), every revision with its position in the change feed, actor, time, reason and document, and the data
/// version. Both engines keep these tables with the same columns and the same text (see <see cref="StoreCopyTables"/>);
/// what an engine derives from them (its search rows, its own numbering of events) it builds again on loading.
/// </summary>
public interface IStoreCopy
{
    /// <summary>Where the store keeps its data (for messages).</summary>
    string Location { get; }

    /// <summary>Brings the schema up to date.</summary>
    Task MigrateAsync(CancellationToken cancellationToken);

    /// <summary>Opens one read snapshot of the whole store; dispose it to end the snapshot.</summary>
    Task<IStoreCopySource> OpenSourceAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Loads everything <paramref name="source"/> holds into this store, which must hold no record and no revision, in one
    /// transaction; nothing is written when it is not empty (<see cref="StoreNotEmptyException"/>) or the load fails.
    /// Returns how many rows of each table were copied.
    /// </summary>
    Task<IReadOnlyDictionary<string, long>> LoadAsync(IStoreCopySource source, CancellationToken cancellationToken);
}

/// <summary>One snapshot of a store, read table by table.</summary>
public interface IStoreCopySource : IAsyncDisposable
{
    /// <summary>The table's rows, in <see cref="StoreCopyTable.OrderBy"/>, each value as its column's kind says (text as string, a number as long, boolean as bool, or null).</summary>
    IAsyncEnumerable<object?[]> RowsAsync(StoreCopyTable table, CancellationToken cancellationToken);
}

/// <summary>The target of a copy holds data already: a copy never merges two stores.</summary>
public sealed class StoreNotEmptyException(string location, string what)
    : InvalidOperationException($"{location} is not empty ({what}); copy-store only fills an empty store, so nothing was copied.");

/// <summary>What a column holds.</summary>
public enum StoreColumnKind
{
    Text,
    Number,
    Boolean,
}

/// <summary>A column of a copied table.</summary>
public sealed record StoreCopyColumn(string Name, StoreColumnKind Kind);

/// <summary>A table a copy carries: its columns (those both engines have), and the order its rows are read in.</summary>
public sealed record StoreCopyTable(string Name, IReadOnlyList<StoreCopyColumn> Columns, string OrderBy);

/// <summary>The tables of a store, in the order a copy loads them (a row's references before it).</summary>
public static class StoreCopyTables
{
    private static StoreCopyColumn T(string name) => new(name, StoreColumnKind.Text);

    private static StoreCopyColumn I(string name) => new(name, StoreColumnKind.Number);

    private static StoreCopyColumn B(string name) => new(name, StoreColumnKind.Boolean);

    public static StoreCopyTable Sources { get; } = new("sources",
        [I("seq"), T("id"), T("title"), T("publisher"), T("author"), T("published_date"), T("url"), T("text"), T("sha256"), T("notes"), T("citation"),
         T("document_number"), T("effective_date"), T("agencies"), T("document_type"), T("created_at"), T("updated_at"), I("version"), T("deleted_at"), T("deleted_by")],
        "seq");

    public static StoreCopyTable Entities { get; } = new("entities",
        [I("seq"), T("id"), T("name"), T("kind"), T("country"), T("description"), B("standalone"), T("created_at"), T("updated_at"), I("version"), T("deleted_at"), T("deleted_by")],
        "seq");

    public static StoreCopyTable EntityAliases { get; } = new("entity_aliases", [T("entity_id"), I("ordinal"), T("alias")], "entity_id, ordinal");

    /// <summary>Events in timeline order, without the engine's own number (each engine numbers its events itself).</summary>
    public static StoreCopyTable Events { get; } = new("events",
        [T("id"), T("date"), I("date_precision"), T("end_date"), T("first_day"), T("last_day"), T("title"), T("summary"), T("category"), T("caveats"), T("tags"), T("refs"),
         T("created_at"), T("updated_at"), I("version"), T("deleted_at"), T("deleted_by")],
        "first_day, date_precision, id");

    public static StoreCopyTable EventTags { get; } = new("event_tags", [T("event_id"), T("tag")], "event_id, tag");

    public static StoreCopyTable EventEntities { get; } = new("event_entities", [T("event_id"), T("entity_id"), T("role"), I("ordinal")], "event_id, ordinal, entity_id, role");

    public static StoreCopyTable Citations { get; } = new("citations",
        [T("event_id"), I("ordinal"), T("source_id"), T("quote"), I("start_offset"), I("end_offset")], "event_id, ordinal");

    public static StoreCopyTable EventLinks { get; } = new("event_links", [T("event_id"), T("kind"), T("target_id"), I("ordinal")], "event_id, kind, ordinal, target_id");

    public static StoreCopyTable FormerIds { get; } = new("former_ids", [T("resource"), T("former_id"), T("current_id"), I("ordinal")], "resource, former_id");

    public static StoreCopyTable Revisions { get; } = new("revisions",
        [I("seq"), T("resource"), T("resource_id"), I("version"), T("action"), T("actor"), T("at"), T("document"), T("reason")], "seq");

    /// <summary>The data version (one row), which ETags are keyed by: a copy keeps it, so no client's ETag matches a different store.</summary>
    public static StoreCopyTable StoreState { get; } = new("store_state", [I("data_version"), T("updated_at")], "data_version");

    public static IReadOnlyList<StoreCopyTable> All { get; } =
        [Sources, Entities, EntityAliases, Events, EventTags, EventEntities, Citations, EventLinks, FormerIds, Revisions, StoreState];
}
