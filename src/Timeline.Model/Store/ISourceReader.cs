using Timeline.Model.Sources;

namespace Timeline.Model.Store;

/// <summary>Source documents as GET /sources shows them: each with its number of live events citing it.</summary>
public interface ISourceReader
{
    /// <summary>Every live source, by id, without its text.</summary>
    Task<IReadOnlyList<SourceItem>> ListAsync(CancellationToken cancellationToken);

    /// <summary>One source with its full text, its tombstone if deleted, or neither if the id is unknown.</summary>
    Task<RecordLookup<SourceDetail>> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>Whether a live source has this id.</summary>
    Task<bool> ExistsAsync(string id, CancellationToken cancellationToken);
}
