using Timeline.Model.Dataset;

namespace Timeline.Model.Store;

/// <summary>
/// The whole dataset in and out. An import validates the dataset against itself and the store (the dataset
/// validator: every quote verbatim in its source) and, only when every record is valid, creates, updates (restoring
/// deleted ones) or leaves unchanged each record in one transaction with its revision, moving the data version once;
/// a first load into an empty store takes the bulk path. An export reads every live record from one snapshot.
/// </summary>
public interface IDatasetStore
{
    /// <summary>
    /// Validates and applies a dataset; the report, or every problem (and the store unchanged). A dry run
    /// (<see cref="WriteContext.DryRun"/>) applies it inside the transaction, rolls back, and answers the report with
    /// the validated dataset (the offsets computed) and the data-honesty warnings: what an import would do.
    /// </summary>
    Task<ImportResult> ImportAsync(DatasetDocument document, WriteContext context, CancellationToken cancellationToken, ImportProgress? progress = null);

    /// <summary>Brings the schema up to date, then replaces every record and its history with the configured seed dataset, in one transaction.</summary>
    Task<ValidatedDataset> ReseedAsync(CancellationToken cancellationToken);

    /// <summary>Brings the schema up to date (the import command runs it before reading its file).</summary>
    Task MigrateAsync(CancellationToken cancellationToken);

    /// <summary>Opens one read snapshot of every live record, for an export; dispose it to end the snapshot.</summary>
    Task<IDatasetSnapshot> OpenSnapshotAsync(CancellationToken cancellationToken);

    /// <summary>Where the store keeps its data (for messages: the file, or the database named).</summary>
    string Location { get; }
}

/// <summary>Every live record of one snapshot, as dataset documents: read each sequence once, in the order given.</summary>
public interface IDatasetSnapshot : IAsyncDisposable
{
    /// <summary>The sources (with their full text inline), by id.</summary>
    IAsyncEnumerable<SourceDocument> SourcesAsync(CancellationToken cancellationToken);

    /// <summary>The entities, by id.</summary>
    IAsyncEnumerable<EntityDocument> EntitiesAsync(CancellationToken cancellationToken);

    /// <summary>The events (with their citations), in timeline order.</summary>
    IAsyncEnumerable<EventDocument> EventsAsync(CancellationToken cancellationToken);

    /// <summary>Every revision of every record (deleted ones too), in commit order: the history an export may carry.</summary>
    IAsyncEnumerable<RevisionDocument> HistoryAsync(CancellationToken cancellationToken);
}

/// <summary>What an import did, or every problem that stopped it (then nothing changed).</summary>
/// <param name="Report">The counts, when the import was applied (or, in a dry run, would be).</param>
/// <param name="Errors">Every problem, when it was not.</param>
public sealed record ImportResult(ImportReport? Report, IReadOnlyList<DatasetError> Errors)
{
    /// <summary>In a dry run, the dataset as validated (with every quote's offsets); null otherwise.</summary>
    public ValidatedDataset? Dataset { get; init; }

    /// <summary>In a dry run, the data-honesty warnings about the dataset; empty otherwise.</summary>
    public IReadOnlyList<DatasetWarning> Warnings { get; init; } = [];
}

/// <summary>How many records of one kind an import created, updated or found unchanged.</summary>
public sealed record ImportCounts(int Created, int Updated, int Unchanged);

/// <summary>What a long import reports while it runs: the events written so far (of all), and each step as it ends.</summary>
/// <param name="Written">Called every 10,000 events written, and once at the end.</param>
/// <param name="Step">Called with the name of each step of the bulk write as it ends (search rows, indexes, ...).</param>
public sealed record ImportProgress(Action<int, int> Written, Action<string> Step);

/// <summary>What an import did.</summary>
/// <param name="Sources">Counts for sources.</param>
/// <param name="Entities">Counts for entities.</param>
/// <param name="Events">Counts for events.</param>
public sealed record ImportReport(ImportCounts Sources, ImportCounts Entities, ImportCounts Events);
