using System.ComponentModel;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Mvc;
using Timeline.Api.Search;
using Timeline.Model.Dates;
using Timeline.Model.Vocabulary;

namespace Timeline.Api.Listing;

/// <summary>
/// The filters every event listing takes, bound from the query string. Values are bound as text and
/// checked in <see cref="TryParse"/>, so that a bad value gets a problem naming its parameter.
/// </summary>
public sealed record EventListParameters
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    [FromQuery(Name = "from")]
    [Description("Earliest date, inclusive: YYYY, YYYY-MM or YYYY-MM-DD. An event matches when the interval of days it covers overlaps the range asked for: from=2020-12 matches an event dated 2020 (the whole year) as well as one dated 2020-12-18. A partial date stands for its whole span, so from=2020 starts on 2020-01-01.")]
    public string? From { get; init; }

    [FromQuery(Name = "to")]
    [Description("Latest date, inclusive: YYYY, YYYY-MM or YYYY-MM-DD. A partial date stands for its whole span, so to=2020-12 ends on 2020-12-31. Must not be before `from`.")]
    public string? To { get; init; }

    [FromQuery(Name = "category")]
    [Description("Only events in this category; repeat the parameter for any of several (category=sanction&category=entity-listing). GET /categories lists the vocabulary.")]
    public string[]? Category { get; init; }

    [FromQuery(Name = "entity")]
    [Description("Only events involving this entity id (in any role); repeat for events involving any of several. GET /entities lists the ids.")]
    public string[]? Entity { get; init; }

    [FromQuery(Name = "tag")]
    [Description("Only events carrying this tag; repeat for events carrying any of several.")]
    public string[]? Tag { get; init; }

    [FromQuery(Name = "source")]
    [Description("Only events citing this source id. GET /sources lists the ids.")]
    public string? Source { get; init; }

    [FromQuery(Name = "q")]
    [Description("Full-text search over titles, summaries, tags, the verbatim quotes, the references to the public record (their titles, official citations and document numbers: 85 FR 83416 finds the event that references that rule) and the names and aliases of the entities each event involves (华为, an alias of Huawei, finds its events). Chinese, Japanese and Korean text is searched character by character, so 华为 is found inside 华为技术. Ranked by relevance, a match in the title counts most, then the summary, the tags, the quotes and references, and the entities' names least. Plain words must all match (kirin 9000s); \"quoted phrases\" match in order; a trailing * matches a prefix (sanction*); AND, OR and NOT in capitals combine terms (smic OR tsmc, huawei NOT mate). Case and diacritics are ignored, and words joined by punctuation are a phrase (Kirin-9000S finds \"Kirin 9000S\"). Each result then carries a `snippet` showing why it matched (matched words in <mark>…</mark>, the rest HTML-escaped). Bounds, each refused with a 400 naming `q` and the rule: at most 500 characters and 16 words or phrases; a prefix needs at least 3 letters or digits before its * and at most 4 prefixes are searched at once; a search may read at most 2,000,000 index entries (one word in one event; a prefix's entries count 4 times), 1,000,000 when ranked by relevance, and may match at most 50,000 events (weighted the same way, and once more for every four terms beyond four) to be ranked by relevance (sort=relevance; GET /search 25,000), 50,000 to count facets over, and 10,000 to be listed under a category, entity, tag or source filter too.")]
    public string? Q { get; init; }

    [FromQuery(Name = "sort")]
    [Description("`date` (oldest first, the default), `-date` (newest first), or `relevance` (best match first, by BM25 on the SQLite store and ts_rank with the same weights on PostgreSQL; only with `q`). The date order is total: the event's first day, then coarser precision first (a year before a month before a day starting on the same day), then id; `-date` reverses it exactly.")]
    [DefaultValue("date")]
    public string? Sort { get; init; }

    [FromQuery(Name = "limit")]
    [Description("Page size, an integer from 1 to 200. Default 50.")]
    [OpenApi.IntegerParameter(1, MaxLimit, DefaultLimit, Example = 20)]
    public string? Limit { get; init; }

    [FromQuery(Name = "cursor")]
    [Description("Opaque cursor from the `nextCursor` of the previous page (also in the Link header, rel=\"next\"). Keep every other parameter the same when you follow it; a cursor that was altered or belongs to other filters is refused with 400.")]
    public string? Cursor { get; init; }

    /// <summary>Checks every parameter and returns the filter, or the problems keyed by parameter name.</summary>
    public bool TryParse(out EventFilter filter, out Dictionary<string, string[]> errors)
    {
        errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        PartialDate? from = ParseDate("from", From, errors);
        PartialDate? to = ParseDate("to", To, errors);
        if (from is { } f && to is { } t && f.FirstDay > t.LastDay)
        {
            errors["to"] = [$"'{To}' is before from '{From}'"];
        }

        var categories = Distinct(Category);
        var unknown = categories.Where(c => !Vocabularies.IsCategory(c)).ToList();
        if (unknown.Count > 0)
        {
            errors["category"] = [$"unknown categor{(unknown.Count == 1 ? "y" : "ies")} {string.Join(", ", unknown.Select(u => $"'{u}'"))}; the categories are {Vocabularies.List(Vocabularies.Categories)}"];
        }

        var entities = Distinct(Entity);
        var tags = Distinct(Tag);
        CheckListSize("entity", entities, errors);
        CheckListSize("tag", tags, errors);
        var source = string.IsNullOrEmpty(Source) ? null : Source;

        SearchExpression? search = null;
        if (Q is not null)
        {
            if (SearchQuery.TryParse(Q, out var parsed, out var searchError))
            {
                search = parsed;
            }
            else
            {
                errors["q"] = [searchError!];
            }
        }

        var order = EventOrder.Date;
        switch (Sort)
        {
            case null or "" or "date":
                break;
            case "-date":
                order = EventOrder.DateDescending;
                break;
            case "relevance" when Q is not null:
                order = EventOrder.Relevance;
                break;
            case "relevance":
                errors["sort"] = ["sort=relevance ranks search results: give q as well"];
                break;
            default:
                errors["sort"] = [$"'{Sort}' is not a sort order; use date (oldest first), -date (newest first) or relevance (with q)"];
                break;
        }

        var limit = DefaultLimit;
        if (!string.IsNullOrEmpty(Limit)
            && (!int.TryParse(Limit, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > MaxLimit))
        {
            errors["limit"] = [$"'{Limit}' is not an integer from 1 to {MaxLimit}"];
        }

        filter = new EventFilter(from, to, categories, entities, tags, source, search, order, limit, string.IsNullOrEmpty(Cursor) ? null : Cursor);
        return errors.Count == 0;
    }

    private static PartialDate? ParseDate(string name, string? value, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        if (PartialDate.TryParse(value, out var date, out var error))
        {
            return date;
        }

        errors[name] = [error!];
        return null;
    }

    private static string[] Distinct(string[]? values) =>
        values is null ? [] : values.Where(v => !string.IsNullOrEmpty(v)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();

    private static void CheckListSize(string name, string[] values, Dictionary<string, string[]> errors)
    {
        if (values.Length > MaxLimit)
        {
            errors[name] = [$"at most {MaxLimit} values may be given"];
        }
    }
}
