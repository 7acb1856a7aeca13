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

    /// <summary>A reference to the public record: the Federal Register rule that added SMIC to the Entity List.</summary>
    private static readonly JsonObject Reference = new()
    {
        ["title"] = "Addition of Entities to the Entity List, Revision of Entry on the Entity List, and Removal of Entities From the Entity List",
        ["publisher"] = "Bureau of Industry and Security",
        ["date"] = "2020-12-22",
        ["url"] = "https://www.federalregister.gov/d/2020-28031",
        ["citation"] = "85 FR 83416",
        ["documentNumber"] = "2020-28031",
        ["supports"] = "SMIC's addition to the Entity List, effective 2020-12-18, and the licence requirement for items subject to the EAR.",
    };

    public static JsonNode? For(Type type)
    {
        if (type == typeof(EventReference) || type == typeof(ReferenceDocument))
        {
            return Reference.DeepClone();
        }

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
            detail["references"] = new JsonArray(Reference.DeepClone());
            detail["formerIds"] = new JsonArray();
            detail["related"] = new JsonArray("us-sanctions-cut-huawei-from-chip-supply-chains");
            detail["supersedes"] = null;
            detail["relatedFrom"] = new JsonArray();
            detail["supersededBy"] = new JsonArray();
            detail["version"] = 1;
            detail["createdAt"] = "2026-11-22T00:00:00.000Z";
            detail["updatedAt"] = "2026-11-22T00:00:00.000Z";
            return detail;
        }

        if (type == typeof(MergeRequest))
        {
            return new JsonObject { ["into"] = "smic-added-to-us-sanctions-list", ["intoETag"] = "\"3.17\"" };
        }

        if (type == typeof(CategoryItem))
        {
            return new JsonObject { ["id"] = "entity-listing", ["description"] = "A company added to a government's restricted-party list, such as the US Entity List.", ["eventCount"] = 1 };
        }

        return null;
    }
}
