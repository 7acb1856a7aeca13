using System.Text.Json;
using Timeline.Model.Dataset;

namespace Timeline.Model.Store.Engine;

/// <summary>
/// How every engine keeps a record's list columns and names its tables, so that a store copies between engines column
/// for column: tags and references as JSON text, links as rows of (kind, target, ordinal).
/// </summary>
public static class StoredColumns
{
    /// <summary>The tags as the events table keeps them for lists: a JSON array, sorted ordinally (tags are ASCII).</summary>
    public static string Tags(IEnumerable<string> tags) => JsonSerializer.Serialize(tags.Order(StringComparer.Ordinal));

    /// <summary>The references as the events table keeps them: a JSON array in the dataset format (what the search row reads).</summary>
    public static string References(IReadOnlyList<ValidReference> references) =>
        references.Count == 0 ? "[]" : Documents.Serialize(references.Select(r => Documents.From(r)).ToList());

    /// <summary>The rows an event's links are stored as (event_links): kind, target and its place in the list.</summary>
    public static IEnumerable<(string Kind, string TargetId, int Ordinal)> LinkRows(ValidEvent e)
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

    /// <summary>The table of a resource ("event", "entity", "source"): its name is the same in every engine.</summary>
    public static string Table(string resource) => resource switch
    {
        "event" => "events",
        "entity" => "entities",
        "source" => "sources",
        _ => throw new ArgumentOutOfRangeException(nameof(resource), resource, "unknown resource"),
    };

    /// <summary>A list of strings as the tables keep it (caveats, notes, agencies): JSON text.</summary>
    public static string List(IEnumerable<string> values) => JsonSerializer.Serialize(values);

    /// <summary>The event's link rows (<see cref="LinkRows"/>).</summary>
    public static IEnumerable<(string Kind, string TargetId, int Ordinal)> Links(ValidEvent e) => LinkRows(e);

    /// <summary>A stored timestamp (<see cref="Timestamps.Format"/>).</summary>
    public static string Timestamp(DateTimeOffset at) => Timestamps.Format(at);
}
