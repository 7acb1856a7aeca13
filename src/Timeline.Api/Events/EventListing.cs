using Microsoft.AspNetCore.Http.HttpResults;
using Timeline.Api.Paging;
using Timeline.Api.Problems;

namespace Timeline.Api.Events;

/// <summary>
/// Answers every listing of events (GET /events, /entities/{id}/events, /sources/{id}/events) the same
/// way: check the parameters, check the ids they name, follow the cursor, and link the next page.
/// </summary>
public sealed class EventListing(EventQueries queries, CursorCodec cursors)
{
    /// <summary>The page asked for, or the problem that explains why it cannot be given.</summary>
    public async Task<(EventPage? Page, ValidationProblem? Problem)> ListAsync(
        EventQuery query, HttpContext context, Func<EventFilter, EventFilter> scope, CancellationToken cancellationToken)
    {
        var valid = query.TryParse(out var filter, out var errors);
        QueryProblems.RejectUnknown(context.Request, EventQuery.ParameterNames, errors);
        if (!valid || errors.Count > 0)
        {
            return (null, QueryProblems.Invalid(errors));
        }

        filter = scope(filter);
        var (missingEntities, sourceMissing) = await queries.MissingReferencesAsync(filter.Entities, filter.Source, cancellationToken);
        if (missingEntities.Count > 0)
        {
            errors["entity"] = [$"unknown entity id{(missingEntities.Count == 1 ? "" : "s")} {string.Join(", ", missingEntities.Select(e => $"'{e}'"))}; GET /entities lists them"];
        }

        if (sourceMissing)
        {
            errors["source"] = [$"unknown source id '{filter.Source}'; GET /sources lists them"];
        }

        TimelinePosition? after = null;
        var fingerprint = filter.Fingerprint();
        if (filter.Cursor is not null && !cursors.TryDecode(filter.Cursor, fingerprint, out after, out var cursorError))
        {
            errors["cursor"] = [cursorError!];
        }

        if (errors.Count > 0)
        {
            return (null, QueryProblems.Invalid(errors));
        }

        var (items, next) = await queries.ListAsync(filter, after, cancellationToken);
        var nextCursor = next is null ? null : cursors.Encode(next, fingerprint);
        PageLinks.AddNext(context, nextCursor);
        return (new EventPage(items, nextCursor), null);
    }
}
