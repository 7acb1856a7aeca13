using Microsoft.AspNetCore.Http.HttpResults;
using Timeline.Api.Matching;

namespace Timeline.Api.Vocabulary;

/// <summary>A role an entity plays in an event.</summary>
/// <param name="Id">The value of an event's `entities[].role`.</param>
/// <param name="Description">What the role means.</param>
public sealed record RoleItem(string Id, string Description);

/// <summary>The whole role vocabulary.</summary>
/// <param name="Items">Every role, in vocabulary order.</param>
public sealed record RoleList(IReadOnlyList<RoleItem> Items);

/// <summary>A kind of entity.</summary>
/// <param name="Id">The value of an entity's `kind` and of the `kind` filter.</param>
/// <param name="Description">What the kind holds.</param>
/// <param name="EntityCount">How many live entities are of this kind.</param>
public sealed record EntityKindItem(string Id, string Description, long EntityCount);

/// <summary>The whole entity-kind vocabulary.</summary>
/// <param name="Items">Every kind, in vocabulary order, including those with no entity yet.</param>
public sealed record EntityKindList(IReadOnlyList<EntityKindItem> Items);

/// <summary>GET /roles and GET /entity-kinds: the closed vocabularies curators write with, like GET /categories.</summary>
public static class RolesAndKindsApi
{
    public static IEndpointRouteBuilder MapRolesAndKinds(this IEndpointRouteBuilder routes)
    {
        routes.MapGroup("/roles").WithTags("Vocabularies")
            .MapGet("/", ListRoles)
            .WithName("ListRoles")
            .WithSummary("List the roles entities play in events")
            .WithDescription($"The closed vocabulary of an event's `entities[].role` ({Vocabularies.List(Vocabularies.Roles)}), each with a one-line description. A write with another role is refused with a 422 naming the nearest one.");
        routes.MapGroup("/entity-kinds").WithTags("Vocabularies")
            .MapGet("/", ListEntityKinds)
            .WithName("ListEntityKinds")
            .WithSummary("List the kinds of entities")
            .WithDescription($"The closed vocabulary of an entity's `kind` and of the `kind` filter of GET /entities and GET /entities/match ({Vocabularies.List(Vocabularies.EntityKinds)}), each with a one-line description and its number of live entities.");
        return routes;
    }

    public static Ok<RoleList> ListRoles() =>
        TypedResults.Ok(new RoleList(Vocabularies.Roles.Select(r => new RoleItem(r.Id, r.Description)).ToList()));

    public static async Task<Ok<EntityKindList>> ListEntityKinds(EntityMatching matching, CancellationToken cancellationToken)
    {
        var counts = (await matching.GetAsync(cancellationToken)).CountByKind();
        return TypedResults.Ok(new EntityKindList(
            Vocabularies.EntityKinds.Select(k => new EntityKindItem(k.Id, k.Description, counts.GetValueOrDefault(k.Id))).ToList()));
    }
}
