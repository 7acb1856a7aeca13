using System.Security.Cryptography;
using System.Text;
using Timeline.Model.Dates;
using Timeline.Model.Search;

namespace Timeline.Model.Events;

/// <summary>The orders events can be listed in.</summary>
public enum EventOrder
{
    Date,
    DateDescending,
    Relevance,
}

/// <summary>An event query after its parameters were checked. <see cref="Search"/> is the parsed search, which the store engine renders.</summary>
public sealed record EventFilter(
    PartialDate? From,
    PartialDate? To,
    IReadOnlyList<string> Categories,
    IReadOnlyList<string> Entities,
    IReadOnlyList<string> Tags,
    string? Source,
    SearchExpression? Search,
    EventOrder Order,
    int Limit,
    string? Cursor)
{
    public bool Descending => Order == EventOrder.DateDescending;
    /// <summary>Whether anything but dates and categories narrows the events (an entity, tag, source or search).</summary>
    public bool NarrowsBeyondDatesAndCategories =>
        Entities.Count > 0 || Tags.Count > 0 || Source is not null || Search is not null || ScopeEntity is not null || ScopeSource is not null;

    /// <summary>Events involving this entity, whatever else is asked (GET /entities/{id}/events).</summary>
    public string? ScopeEntity { get; init; }

    /// <summary>Events citing this source, whatever else is asked (GET /sources/{id}/events).</summary>
    public string? ScopeSource { get; init; }

    /// <summary>
    /// A short digest of everything that decides which events match and in what order (not the page size),
    /// so a cursor can be tied to the query that issued it. The search counts by its canonical text
    /// (<see cref="SearchExpression.Canonical"/>), the very text this digest took before searches were parsed into
    /// expressions: a cursor keeps working across that change, and across any change to how an engine renders searches.
    /// </summary>
    public string Fingerprint()
    {
        var canonical = string.Join(
            '\u001f',
            From?.ToString(),
            To?.ToString(),
            string.Join(',', Categories),
            string.Join(',', Entities),
            string.Join(',', Tags),
            Source,
            Search?.Canonical,
            Order.ToString(),
            ScopeEntity,
            ScopeSource);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)).AsSpan(0, 8));
    }
}
