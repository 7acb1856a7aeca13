using Microsoft.AspNetCore.Http.HttpResults;
using Timeline.Api.Paging;
using Timeline.Api.Problems;
using Timeline.Api.Search;
using Timeline.Model.Store;

namespace Timeline.Api.Listing;

/// <summary>
/// Answers every query over events (the lists, facets and exports) the same way: check the parameters, hold a search to
/// its budget (<see cref="ISearchBudget"/>), check the ids they name, follow the cursor, and link the next page
/// (<see cref="IEventPages"/>). One filter model for all of them.
/// </summary>
public sealed class EventPageService(IEventPages pages, CursorCodec cursors, ISearchBudget searchBudget, Matching.EntityMatching entityNames)
{
    /// <summary>
    /// The checked filter, or the problems naming every bad parameter (unknown and repeated ones are refused earlier, by
    /// <see cref="QueryParameterGuard"/>). A search is held to the bound of <paramref name="work"/> (by default a list's, or
    /// ranking's with sort=relevance; see <see cref="ISearchBudget"/>).
    /// </summary>
    public async Task<(EventFilter? Filter, Dictionary<string, string[]> Errors)> ValidateAsync(
        EventListParameters query,
        Func<EventFilter, EventFilter> scope,
        CancellationToken cancellationToken,
        SearchWork? work = null)
    {
        if (!query.TryParse(out var filter, out var errors))
        {
            return (null, errors);
        }

        filter = scope(filter);
        if (filter.Search is not null
            && await searchBudget.CheckAsync(filter.Search, work ?? DefaultWork(filter), cancellationToken) is { } tooCostly)
        {
            errors["q"] = [tooCostly];
        }
        var (missingEntities, sourceMissing) = await pages.MissingReferencesAsync(filter.Entities, filter.Source, cancellationToken);
        if (missingEntities.Count > 0)
        {
            errors["entity"] = [await entityNames.UnknownIdsAsync(missingEntities, cancellationToken)];
        }

        if (sourceMissing)
        {
            errors["source"] = [$"unknown source id '{filter.Source}'; GET /sources lists them"];
        }

        return errors.Count > 0 ? (null, errors) : (filter, errors);
    }

    /// <summary>What a list's search is asked to do: rank, check each match against other filters, or list.</summary>
    private static SearchWork DefaultWork(EventFilter filter) =>
        filter.Order == EventOrder.Relevance ? SearchWork.Ranking
        : filter.Categories.Count > 0 || (filter with { Search = null }).NarrowsBeyondDatesAndCategories ? SearchWork.Filtered
        : SearchWork.List;

    /// <summary>The page asked for, or the problem that explains why it cannot be given.</summary>
    public async Task<(EventPageJson? Page, ValidationProblem? Problem)> ListAsync(
        EventListParameters query, HttpContext context, Func<EventFilter, EventFilter> scope, CancellationToken cancellationToken)
    {
        var (filter, errors) = await ValidateAsync(query, scope, cancellationToken);
        if (filter is null)
        {
            return (null, QueryProblems.Invalid(errors));
        }

        TimelinePosition? after = null;
        var fingerprint = filter.Fingerprint();
        if (filter.Cursor is not null && !cursors.TryDecode(filter.Cursor, fingerprint, out after, out var cursorError))
        {
            errors["cursor"] = [cursorError!];
            return (null, QueryProblems.Invalid(errors));
        }

        var (items, next) = await pages.ListJsonAsync(filter, after, cancellationToken);
        var nextCursor = next is null ? null : cursors.Encode(next, fingerprint);
        PageLinks.AddNext(context, nextCursor);
        return (new EventPageJson(items, nextCursor), null);
    }
}
