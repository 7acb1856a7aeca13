namespace Timeline.Model.Store;

/// <summary>
/// The ids records were known by before a rename (the dataset's <c>formerIds</c>): a GET of a former id answers 301 to
/// the record's current id, in /events/{id}, /entities/{id}, /sources/{id} and their sub-resources.
/// </summary>
public interface IFormerIds
{
    /// <summary>
    /// The current id of the record of <paramref name="resource"/> ("event", "entity" or "source") that lists
    /// <paramref name="formerId"/> among its former ids, or null when none does.
    /// </summary>
    Task<string?> CurrentIdAsync(string resource, string formerId, CancellationToken cancellationToken);
}
