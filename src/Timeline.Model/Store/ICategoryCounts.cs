namespace Timeline.Model.Store;

/// <summary>How many live events each category holds (GET /categories).</summary>
public interface ICategoryCounts
{
    /// <summary>Category id to its number of events; categories with none are absent.</summary>
    Task<IReadOnlyDictionary<string, long>> CountAsync(CancellationToken cancellationToken);
}
