using System.Text.Json.Nodes;
using Timeline.Api.Categories;
using Timeline.Api.Events;

namespace Timeline.Api.OpenApi;

/// <summary>Example bodies shown in Swagger UI, taken from the seeded timeline.</summary>
public static class SchemaExamples
{
    private static readonly JsonObject Listing = new()
    {
        ["id"] = "smic-added-to-us-sanctions-list",
        ["date"] = "2020-12",
        ["datePrecision"] = "month",
        ["endDate"] = null,
        ["title"] = "SMIC joins Huawei on the US sanctions list",
        ["summary"] = "SMIC was added to the US sanctions list, joining Huawei, so that any company wanting to sell technology to SMIC would need Washington’s permission.",
        ["category"] = "entity-listing",
        ["tags"] = new JsonArray("huawei", "smic", "us-sanctions"),
        ["caveats"] = new JsonArray("The source gives the month (December 2020) but no day."),
    };

    public static JsonNode? For(Type type)
    {
        if (type == typeof(EventSummary))
        {
            return Listing.DeepClone();
        }

        if (type == typeof(EventPage))
        {
            return new JsonObject { ["items"] = new JsonArray(Listing.DeepClone()), ["nextCursor"] = null };
        }

        if (type == typeof(EventDetail))
        {
            var detail = Listing.DeepClone().AsObject();
            detail["entities"] = new JsonArray(
                new JsonObject { ["id"] = "us-government", ["name"] = "United States government", ["kind"] = "government", ["role"] = "issuer" },
                new JsonObject { ["id"] = "smic", ["name"] = "Semiconductor Manufacturing International Corporation", ["kind"] = "company", ["role"] = "target" });
            detail["citations"] = new JsonArray(new JsonObject
            {
                ["sourceId"] = "ft-derived-huawei-smic-kirin-9000s",
                ["sourceTitle"] = "How Huawei and SMIC built the Kirin 9000S",
                ["quote"] = "In December 2020, SMIC joined Huawei on the US sanctions list—meaning any company wanting to sell technology to SMIC would require Washington’s permission.",
                ["startOffset"] = 946,
                ["endOffset"] = 1101,
            });
            detail["version"] = 1;
            detail["createdAt"] = "2026-11-22T00:00:00.000Z";
            detail["updatedAt"] = "2026-11-22T00:00:00.000Z";
            return detail;
        }

        if (type == typeof(CategoryItem))
        {
            return new JsonObject { ["id"] = "entity-listing", ["description"] = "A company added to a government's restricted-party list, such as the US Entity List.", ["eventCount"] = 1 };
        }

        return null;
    }
}
