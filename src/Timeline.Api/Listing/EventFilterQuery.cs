using System.ComponentModel;
using Microsoft.AspNetCore.Mvc;

namespace Timeline.Api.Listing;

/// <summary>
/// The filters of GET /events without its paging, as the exports and the facets take them: an export holds every
/// matching event and the facets count them all, so `limit` and `cursor` are not parameters of them and are refused
/// with a 400 like any other unknown parameter. The exports that keep an order and the facets (for their links) take
/// `sort` beside it; the Atom feed does not (newest change first).
/// </summary>
public sealed record EventFilterQuery
{
    [FromQuery(Name = "from")]
    [Description("Earliest date, inclusive: YYYY, YYYY-MM or YYYY-MM-DD. An event matches when the interval of days it covers overlaps the range asked for (as on GET /events); a partial date stands for its whole span.")]
    public string? From { get; init; }

    [FromQuery(Name = "to")]
    [Description("Latest date, inclusive: YYYY, YYYY-MM or YYYY-MM-DD; a partial date stands for its whole span. Must not be before `from`.")]
    public string? To { get; init; }

    [FromQuery(Name = "category")]
    [Description("Only events in this category; repeat the parameter for any of several. GET /categories lists the vocabulary.")]
    public string[]? Category { get; init; }

    [FromQuery(Name = "entity")]
    [Description("Only events involving this entity id (in any role); repeat for events involving any of several.")]
    public string[]? Entity { get; init; }

    [FromQuery(Name = "tag")]
    [Description("Only events carrying this tag; repeat for events carrying any of several.")]
    public string[]? Tag { get; init; }

    [FromQuery(Name = "source")]
    [Description("Only events citing this source id.")]
    public string? Source { get; init; }

    [FromQuery(Name = "q")]
    [Description("Only events matching this full-text search, with the syntax of GET /events. At most 500 characters.")]
    public string? Q { get; init; }

    /// <summary>The description of the `sort` parameter of the exports that take one.</summary>
    public const string SortDescription = "`date` (oldest first, the default), `-date` (newest first), or `relevance` (best match first; only with `q`), as on GET /events.";

    /// <summary>The same filters as a list query (no paging), to be checked by <see cref="EventPageService"/>.</summary>
    public EventListParameters ToListParameters(string? sort = null) => new()
    {
        From = From,
        To = To,
        Category = Category,
        Entity = Entity,
        Tag = Tag,
        Source = Source,
        Q = Q,
        Sort = sort,
    };

    /// <summary>The filters of a list query, for the CSV form of GET /events (its paging is refused before).</summary>
    public static EventFilterQuery Of(EventListParameters query) => new()
    {
        From = query.From,
        To = query.To,
        Category = query.Category,
        Entity = query.Entity,
        Tag = query.Tag,
        Source = query.Source,
        Q = query.Q,
    };
}
