using Microsoft.AspNetCore.Http.HttpResults;
using Timeline.Model.Store;
using Timeline.Model.Vocabulary;

namespace Timeline.Api.Categories;

/// <summary>A category of events.</summary>
/// <param name="Id">The value of the `category` filter.</param>
/// <param name="Description">What the category holds.</param>
/// <param name="EventCount">How many events are in it.</param>
public sealed record CategoryItem(string Id, string Description, long EventCount);

/// <summary>The whole category vocabulary.</summary>
/// <param name="Items">Every category, in vocabulary order, including those with no events yet.</param>
public sealed record CategoryList(IReadOnlyList<CategoryItem> Items);

public static class CategoriesApi
{
    public static IEndpointRouteBuilder MapCategories(this IEndpointRouteBuilder routes)
    {
        routes.MapGroup("/categories").WithTags("Categories")
            .MapGet("/", ListCategories)
            .WithName("ListCategories")
            .WithSummary("List the event categories")
            .WithDescription("The closed vocabulary of event categories (sanction, entity-listing, export-control, product-launch, corporate, statement, analysis, industry-event), each with a one-line description and its number of events.");
        return routes;
    }

    public static async Task<Ok<CategoryList>> ListCategories(ICategoryCounts categories, CancellationToken cancellationToken)
    {
        var counts = await categories.CountAsync(cancellationToken);
        return TypedResults.Ok(new CategoryList(
            Vocabularies.Categories.Select(c => new CategoryItem(c.Id, c.Description, counts.GetValueOrDefault(c.Id))).ToList()));
    }
}
