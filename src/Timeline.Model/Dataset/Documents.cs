using System.Text.Json;

namespace Timeline.Model.Dataset;

/// <summary>Turns validated records back into their dataset-format documents (revisions, exports, write responses).</summary>
public static class Documents
{
    public static SourceDocument From(ValidSource s) => new()
    {
        Id = s.Id,
        Title = s.Title,
        Publisher = s.Publisher,
        Author = s.Author,
        PublishedDate = s.PublishedDate?.ToString(),
        Url = s.Url,
        Text = s.Text,
        Notes = [.. s.Notes],
        Citation = s.Citation,
        DocumentNumber = s.DocumentNumber,
        EffectiveDate = s.EffectiveDate?.ToString(),
        Agencies = s.Agencies.Count == 0 ? null : [.. s.Agencies],
        DocumentType = s.DocumentType,
        Standalone = s.Standalone ? true : null,
        FormerIds = s.FormerIds.Count == 0 ? null : [.. s.FormerIds],
    };

    public static EntityDocument From(ValidEntity e) => new()
    {
        Id = e.Id,
        Name = e.Name,
        Kind = e.Kind,
        Country = e.Country,
        Aliases = [.. e.Aliases],
        Description = e.Description,
        FormerIds = e.FormerIds.Count == 0 ? null : [.. e.FormerIds],
        Standalone = e.Standalone ? true : null,
    };

    public static EventDocument From(ValidEvent e) => new()
    {
        Id = e.Id,
        Date = e.Date.ToString(),
        EndDate = e.EndDate?.ToString(),
        Title = e.Title,
        Summary = e.Summary,
        Category = e.Category,
        Tags = [.. e.Tags],
        Caveats = [.. e.Caveats],
        Entities = e.Entities.Select(l => new EntityLinkDocument { Id = l.EntityId, Role = l.Role }).ToList(),
        Citations = e.Citations.Select(c => new CitationDocument { Source = c.SourceId, Quote = c.Quote, Occurrence = c.Occurrence }).ToList(),
        References = e.References.Count == 0 ? null : e.References.Select(r => From(r)).ToList(),
        FormerIds = e.FormerIds.Count == 0 ? null : [.. e.FormerIds],
        Related = e.Related.Count == 0 ? null : [.. e.Related],
        Supersedes = e.Supersedes,
    };

    public static ReferenceDocument From(ValidReference r) => new()
    {
        Title = r.Title,
        Publisher = r.Publisher,
        Date = r.Date.ToString(),
        Url = r.Url,
        Citation = r.Citation,
        DocumentNumber = r.DocumentNumber,
        Supports = r.Supports,
    };

    /// <summary>The one serialised form of a document: the dataset format, compact.</summary>
    public static string Serialize<T>(T document) => JsonSerializer.Serialize(document, Compact);

    /// <summary>The same serialised form as UTF-8 bytes (what SQLite stores), for bulk loads.</summary>
    public static byte[] SerializeToUtf8<T>(T document) => JsonSerializer.SerializeToUtf8Bytes(document, Compact);

    public static T? Deserialize<T>(string json) => JsonSerializer.Deserialize<T>(json, DatasetReader.JsonOptions);

    private static readonly JsonSerializerOptions Compact = new(DatasetReader.JsonOptions) { WriteIndented = false };
}
