using System.Text.Json;
using Timeline.Model.Dataset;

namespace Timeline.Model.Store.Engine;

/// <summary>
/// The texts of an event's search row beyond its title and summary, the same in both engines: its tags, its quotes, its
/// references and the names and aliases of the entities it involves, each as one text.
/// </summary>
public static class SearchColumns
{
    /// <summary>The tags column of an event's search row: its tags in the table's (sorted) order, space-separated.</summary>
    public static string Tags(IEnumerable<string> tags) => string.Join(' ', tags.Order(StringComparer.Ordinal));

    /// <summary>The quotes column of an event's search row: its quotes in citation order, joined by " … ".</summary>
    public static string Quotes(IEnumerable<string> quotes) => string.Join(" … ", quotes);

    /// <summary>The references column of an event's search row: each reference's title, citation and document number (" ; "), joined by " … ".</summary>
    public static string References(IEnumerable<ValidReference> references) =>
        References(references.Select(r => (r.Title, r.Citation, r.DocumentNumber)));

    /// <summary>The references column from the stored references (the dataset format's JSON list: title, citation, documentNumber).</summary>
    public static string ReferencesFromJson(string? json)
    {
        if (string.IsNullOrEmpty(json) || json == "[]")
        {
            return string.Empty;
        }

        using var document = JsonDocument.Parse(json);
        var references = new List<(string, string?, string?)>();
        foreach (var reference in document.RootElement.EnumerateArray())
        {
            references.Add((Text(reference, "title") ?? string.Empty, Text(reference, "citation"), Text(reference, "documentNumber")));
        }

        return References(references);
    }

    private static string References(IEnumerable<(string Title, string? Citation, string? DocumentNumber)> references) =>
        string.Join(" … ", references.Select(r =>
            r.Title + (r.Citation is null ? "" : " ; " + r.Citation) + (r.DocumentNumber is null ? "" : " ; " + r.DocumentNumber)));

    private static string? Text(JsonElement reference, string name) =>
        reference.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>
    /// The names column of an event's search row: each entity it involves once, in link order, as its name and aliases
    /// joined by " ; " (<paramref name="namesOf"/> gives one entity's "name ; alias ; alias").
    /// </summary>
    public static string Names(IEnumerable<string> entityIds, Func<string, string?> namesOf) =>
        string.Join(" ; ", entityIds.Distinct(StringComparer.Ordinal).Select(namesOf).Where(n => n is not null));
}
