using System.ComponentModel;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Timeline.Api.Events;
using Timeline.Api.Problems;
using Timeline.Model.Vocabulary;
using Timeline.Model.Store;
using Timeline.Api.Listing;
using Timeline.Api.Matching;

namespace Timeline.Api.Entities;

public static class EntitiesApi
{
    public static IEndpointRouteBuilder MapEntities(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/entities").WithTags("Entities");

        group.MapGet("/", ListEntities)
            .WithName("ListEntities")
            .WithSummary("List entities")
            .WithDescription("Companies, governments, agencies, people, products, chips, technologies, organizations and event series, sorted by name, each with the number of events that involve it. Filter by `kind`, and by `q`, which finds entities by name, alias or id the way GET /entities/match scores them (words in any order, initials, accents and pinyin tones ignored, misspellings, Chinese characters) and also every entity whose name, id or an alias contains the text, ignoring case (q=charlotte finds the Kirin 9000S by its code name); with `q` the list is ranked, best match first, then by name.");

        group.MapGet("/match", EntityMatchApi.MatchEntities)
            .WithName("MatchEntities")
            .WithSummary("Match a name against every entity's names and aliases")
            .WithDescription(EntityMatchApi.Description);

        group.MapGet("/{id}", GetEntity)
            .WithName("GetEntity")
            .WithSummary("Get one entity")
            .WithDescription("The entity with its aliases and the number of events that involve it. 404 for an unknown id, 410 for a deleted one.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status410Gone)
            .WithMetadata(new Caching.RecordETag());

        group.MapGet("/{id}/events", ListEntityEvents)
            .WithName("ListEntityEvents")
            .WithSummary("List the events that involve one entity")
            .WithDescription("Every event involving the entity, in any role, with the same filters, order and paging as GET /events. 404 for an unknown entity id.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        return routes;
    }

    public static async Task<Results<Ok<EntityList>, ValidationProblem>> ListEntities(
        [FromQuery(Name = "kind"), Description("Only entities of this kind: company, government, agency, person, product, chip, technology, organization, event-series, regulation or list.")] string? kind,
        [FromQuery(Name = "q"), Description("A name to find: ranks entities by how well a name, alias or id matches it (as GET /entities/match), and keeps every entity whose name, id or an alias contains it, ignoring case (at most 200 characters).")] string? q,
        IEntityReader queries,
        EntityMatching matching,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (EntityMatchApi.KindError(kind) is { } kindError)
        {
            errors["kind"] = [kindError];
        }

        if (q is { Length: > 200 })
        {
            errors["q"] = ["is longer than 200 characters"];
        }

        if (errors.Count > 0)
        {
            return QueryProblems.Invalid(errors);
        }

        kind = string.IsNullOrEmpty(kind) ? null : kind;
        if (string.IsNullOrWhiteSpace(q))
        {
            return TypedResults.Ok(new EntityList(await queries.ListAsync(kind, null, cancellationToken)));
        }

        // Ranked by the matcher of GET /entities/match, keeping every entity whose names contain the text.
        var matcher = await matching.GetAsync(cancellationToken);
        var ranked = matcher.Match(q.Trim(), kind, EntityMatcher.Cutoff, int.MaxValue, alwaysContains: true);
        var items = (await queries.ListAsync(kind, ranked.Select(r => r.Entity.Id).ToList(), cancellationToken))
            .ToDictionary(i => i.Id, StringComparer.Ordinal);
        return TypedResults.Ok(new EntityList(ranked.Where(r => items.ContainsKey(r.Entity.Id)).Select(r => items[r.Entity.Id]).ToList()));
    }

    public static async Task<Results<Ok<EntityItem>, ProblemHttpResult, StatusCodeHttpResult>> GetEntity(
        [Description("Entity id, such as smic or kirin-9000s.")] string id,
        HttpContext context,
        IEntityReader queries,
        IDataVersion state,
        CancellationToken cancellationToken)
    {
        var dataVersion = (await state.GetAsync(cancellationToken)).DataVersion;
        var (found, deleted) = await queries.GetAsync(id, cancellationToken);
        return found is not null ? Curation.RecordResponses.Ok(context, found, found.Version, dataVersion)
            : deleted is not null ? QueryProblems.Gone("entity", id, deleted)
            : QueryProblems.NotFound("entity", id);
    }

    public static async Task<Results<EventPageJson, ValidationProblem, ProblemHttpResult>> ListEntityEvents(
        [Description("Entity id, such as smic or kirin-9000s.")] string id,
        [AsParameters] EventListParameters query,
        HttpContext context,
        IEntityReader entities,
        EventPageService listing,
        CancellationToken cancellationToken)
    {
        if (!await entities.ExistsAsync(id, cancellationToken))
        {
            return QueryProblems.NotFound("entity", id);
        }

        var (page, problem) = await listing.ListAsync(query, context, filter => filter with { ScopeEntity = id }, cancellationToken);
        return problem is not null ? problem : page!;
    }
}
