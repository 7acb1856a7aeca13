using System.Text.Json;
using Timeline.Model.Dataset;

namespace Timeline.Model.Store.Engine;

/// <summary>
/// How both engines keep a record's list columns and instants as text, byte for byte the same, so that a store copies
/// between the engines column for column and its ETags and revisions do not change.
/// </summary>
public static class StoredColumns
{
    /// <summary>The one format of stored timestamps: UTC, ISO 8601, milliseconds, Z.</summary>
    public static string Timestamp(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A list of strings (caveats, notes, agencies) as a JSON array.</summary>
    public static string List(IEnumerable<string> values) => JsonSerializer.Serialize(values);

    /// <summary>The tags as the events table keeps them for lists: a JSON array, sorted (tags are ASCII, so this is every engine's order too).</summary>
    public static string Tags(IEnumerable<string> tags) => JsonSerializer.Serialize(tags.Order(StringComparer.Ordinal));

    /// <summary>The references as the events table keeps them: a JSON array in the dataset format (what the search row reads).</summary>
    public static string References(IReadOnlyList<ValidReference> references) =>
        references.Count == 0 ? "[]" : Documents.Serialize(references.Select(r => Documents.From(r)).ToList());

    /// <summary>The rows an event's links are stored as (event_links): kind, target and its place in the list.</summary>
    public static IEnumerable<(string Kind, string TargetId, int Ordinal)> Links(ValidEvent e)
    {
        for (var i = 0; i < e.Related.Count; i++)
        {
            yield return ("related", e.Related[i], i);
        }

        if (e.Supersedes is not null)
        {
            yield return ("supersedes", e.Supersedes, 0);
        }
    }
}
