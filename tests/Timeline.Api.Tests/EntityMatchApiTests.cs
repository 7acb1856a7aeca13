using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Timeline.Api.Tests;

/// <summary>
/// GET /entities/match, the ranking of GET /entities?q=, the nearest ids of an unknown entity id in a filter or a write,
/// and the vocabularies GET /roles and GET /entity-kinds (issue 18 item 3).
/// </summary>
public class EntityMatchApiTests(TimelineApp fixture, ITestOutputHelper output) : IClassFixture<TimelineApp>
{
    private readonly TimelineApp app = fixture.LoggingTo(output);

    private readonly HttpClient _client = fixture.CreateClient();

    [Fact]
    public async Task An_entity_cannot_take_the_id_of_the_match_endpoint()
    {
        var entity = new JsonObject { ["id"] = "match", ["name"] = "Match Group", ["kind"] = "company", ["country"] = "US", ["aliases"] = new JsonArray(), ["description"] = "A company." };

        using var response = await app.CreateClient(TimelineApp.EditorKey).SendJsonAsync(HttpMethod.Post, "/entities", entity);

        await response.AssertStatusAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("reserved", (await response.BodyAsync()).GetProperty("errors").GetProperty("id")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Matching_a_name_in_another_word_order_finds_the_person_first_with_its_score_and_reason()
    {
        var list = await _client.GetJsonAsync("/entities/match?name=" + Uri.EscapeDataString("Zhijun Xu"));

        Assert.Equal("Zhijun Xu", list.GetProperty("query").GetString());
        Assert.Equal("zhijun xu", list.GetProperty("folded").GetString());
        var first = list.GetProperty("items")[0];
        Assert.Equal("xu-zhijun", first.GetProperty("id").GetString());
        Assert.Equal("person", first.GetProperty("kind").GetString());
        Assert.Equal(0.95, first.GetProperty("score").GetDouble(), 3);
        Assert.True(first.GetProperty("match").GetBoolean());
        Assert.Equal("Xu Zhijun", first.GetProperty("matchedName").GetString());
        Assert.Equal("name", first.GetProperty("matchedField").GetString());
        Assert.Equal("word-order", first.GetProperty("reasons")[0].GetProperty("feature").GetString());
        Assert.False(string.IsNullOrWhiteSpace(first.GetProperty("reasons")[0].GetProperty("explanation").GetString()));
    }

    [Theory]
    [InlineData("SMIC", "smic", "alias")]
    [InlineData("Semiconductor Manufacturing International Corp.", "smic", "name")]
    [InlineData("Taiwan Semiconductor", "tsmc", "name")]
    [InlineData("Xú Zhìjūn", "xu-zhijun", "name")]
    [InlineData("Qualcom", "qualcomm", "name")]
    [InlineData("charlotte", "kirin-9000s", "alias")]
    public async Task Matching_finds_the_entity_first(string name, string expected, string field)
    {
        var first = (await _client.GetJsonAsync("/entities/match?name=" + Uri.EscapeDataString(name))).GetProperty("items")[0];

        Assert.Equal(expected, first.GetProperty("id").GetString());
        Assert.Equal(field, first.GetProperty("matchedField").GetString());
    }

    [Fact]
    public async Task Matches_are_best_first_within_the_limit_and_the_kind()
    {
        var list = await _client.GetJsonAsync("/entities/match?name=Semiconductor%20Manufacturing&limit=2");
        var items = list.GetProperty("items").EnumerateArray().ToList();

        Assert.Equal(2, items.Count);
        var scores = items.Select(i => i.GetProperty("score").GetDouble()).ToList();
        Assert.Equal(scores.OrderDescending(), scores);
        Assert.All(items, i => Assert.InRange(i.GetProperty("score").GetDouble(), 0.5, 1.0));

        var people = await _client.GetJsonAsync("/entities/match?name=Semiconductor%20Manufacturing&kind=person");
        Assert.Empty(people.GetProperty("items").EnumerateArray());
    }

    [Theory]
    [InlineData("/entities/match", "name")]
    [InlineData("/entities/match?name=%20", "name")]
    [InlineData("/entities/match?name=%21%21%21", "name")]
    [InlineData("/entities/match?name=smic&limit=0", "limit")]
    [InlineData("/entities/match?name=smic&limit=51", "limit")]
    [InlineData("/entities/match?name=smic&kind=compnay", "kind")]
    [InlineData("/entities/match?name=smic&threshold=1", "threshold")]
    public async Task Bad_match_parameters_are_a_400_naming_them(string url, string parameter)
    {
        var problem = await _client.GetProblemAsync(url, HttpStatusCode.BadRequest);

        Assert.True(problem.GetProperty("errors").TryGetProperty(parameter, out _), problem.ToString());
    }

    [Fact]
    public async Task A_misspelt_kind_is_answered_with_the_nearest_kind()
    {
        var problem = await _client.GetProblemAsync("/entities?kind=compnay", HttpStatusCode.BadRequest);

        Assert.Contains("did you mean 'company'?", problem.GetProperty("errors").GetProperty("kind")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_entity_in_a_filter_is_a_400_suggesting_the_nearest_ids()
    {
        var problem = await _client.GetProblemAsync("/events?entity=smc", HttpStatusCode.BadRequest);
        var message = problem.GetProperty("errors").GetProperty("entity")[0].GetString()!;

        Assert.Contains("unknown entity id 'smc'", message, StringComparison.Ordinal);
        Assert.Contains("did you mean 'smic', Semiconductor Manufacturing International Corporation", message, StringComparison.Ordinal);

        // The exports and the facets check their filters in the same place.
        var facets = await _client.GetProblemAsync("/events/facets?entity=huwei", HttpStatusCode.BadRequest);
        Assert.Contains("'huawei'", facets.GetProperty("errors").GetProperty("entity")[0].GetString(), StringComparison.Ordinal);

        // Nothing near: no suggestion, but still the way to find one.
        var far = await _client.GetProblemAsync("/events?entity=initech", HttpStatusCode.BadRequest);
        var farMessage = far.GetProperty("errors").GetProperty("entity")[0].GetString()!;
        Assert.DoesNotContain("did you mean", farMessage, StringComparison.Ordinal);
        Assert.Contains("/entities/match", farMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_entity_in_a_write_is_a_422_suggesting_the_nearest_ids_and_a_misspelt_role_the_nearest_role()
    {
        using var editor = app.CreateClient(TimelineApp.EditorKey);
        var body = Curation.NewEvent("match-unknown-entity");
        body["entities"] = new JsonArray(
            new JsonObject { ["id"] = "qualcom", ["role"] = "subject" },
            new JsonObject { ["id"] = "huawei", ["role"] = "supplyer" });

        using var response = await editor.SendJsonAsync(HttpMethod.Post, "/events", body);

        await response.AssertStatusAsync(HttpStatusCode.UnprocessableEntity);
        var errors = (await response.BodyAsync()).GetProperty("errors");
        Assert.Contains("unknown entity 'qualcom' (did you mean 'qualcomm', Qualcomm?)", errors.GetProperty("entities[0].id")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("did you mean 'supplier'?", errors.GetProperty("entities[1].role")[0].GetString(), StringComparison.Ordinal);
        await _client.GetProblemAsync("/events/match-unknown-entity", HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task An_event_can_name_a_supplier()
    {
        using var editor = app.CreateClient(TimelineApp.EditorKey);
        var body = Curation.NewEvent("match-supplier-role");
        body["entities"] = new JsonArray(
            new JsonObject { ["id"] = "qualcomm", ["role"] = "supplier" },
            new JsonObject { ["id"] = "huawei", ["role"] = "customer" });

        using var response = await editor.SendJsonAsync(HttpMethod.Post, "/events", body);

        await response.AssertStatusAsync(HttpStatusCode.Created);
        var stored = await _client.GetJsonAsync("/events/match-supplier-role");
        var qualcomm = stored.GetProperty("entities").EnumerateArray().Single(e => e.GetProperty("id").GetString() == "qualcomm");
        Assert.Equal("supplier", qualcomm.GetProperty("role").GetString());
    }

    [Fact]
    public async Task The_roles_are_listed_with_descriptions_in_vocabulary_order()
    {
        var roles = await _client.GetJsonAsync("/roles");
        var items = roles.GetProperty("items").EnumerateArray().ToList();

        Assert.Equal(Timeline.Model.Vocabulary.Vocabularies.Roles.Select(r => r.Id), items.Select(i => i.GetProperty("id").GetString()));
        foreach (var role in new[] { "target", "issuer", "customer", "supplier", "investor", "parent", "subsidiary", "licensor", "licensee", "regulator" })
        {
            var item = items.Single(i => i.GetProperty("id").GetString() == role);
            Assert.False(string.IsNullOrWhiteSpace(item.GetProperty("description").GetString()));
        }
    }

    [Fact]
    public async Task The_entity_kinds_are_listed_with_descriptions_and_counts()
    {
        var kinds = await _client.GetJsonAsync("/entity-kinds");
        var items = kinds.GetProperty("items").EnumerateArray().ToList();

        Assert.Equal(Timeline.Model.Vocabulary.Vocabularies.EntityKinds.Select(k => k.Id), items.Select(i => i.GetProperty("id").GetString()));
        Assert.Contains(items, i => i.GetProperty("id").GetString() == "facility");
        foreach (var item in items)
        {
            Assert.False(string.IsNullOrWhiteSpace(item.GetProperty("description").GetString()));
            var kind = item.GetProperty("id").GetString()!;
            var listed = (await _client.GetJsonAsync("/entities?kind=" + kind)).Ids().Count;
            Assert.Equal(listed, item.GetProperty("entityCount").GetInt32());
        }
    }

    [Fact]
    public async Task The_match_endpoint_and_the_vocabularies_are_documented()
    {
        var document = await _client.GetJsonAsync("/openapi/v1.json");
        var paths = document.GetProperty("paths");

        var match = paths.GetProperty("/entities/match").GetProperty("get");
        Assert.Equal("MatchEntities", match.GetProperty("operationId").GetString());
        var parameters = match.GetProperty("parameters").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!);
        Assert.True(parameters["name"].GetProperty("required").GetBoolean());
        Assert.Equal("#/components/schemas/EntityKind", parameters["kind"].GetProperty("schema").GetProperty("$ref").GetString());
        Assert.True(match.GetProperty("responses").TryGetProperty("400", out _));
        foreach (var path in new[] { "/roles", "/entity-kinds" })
        {
            Assert.False(string.IsNullOrWhiteSpace(paths.GetProperty(path).GetProperty("get").GetProperty("description").GetString()));
        }

        // The closed value sets in the answers are shared component schemas too.
        var schemas = document.GetProperty("components").GetProperty("schemas");
        Assert.Contains("supplier", schemas.GetProperty("Role").GetProperty("enum").Strings());
        Assert.Contains("word-order", schemas.GetProperty("MatchFeature").GetProperty("enum").Strings());
    }
}

/// <summary>GET /entities?q= on the curated dataset, whose entities have the aliases people search for (Eric Xu, 华为).</summary>
public class EntitySearchRankingTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Entity_search_ranks_a_word_of_a_name_before_a_name_that_merely_contains_it()
    {
        using var app = TimelineApp.WithDataset(RepositoryFiles.Dataset).LoggingTo(output);
        using var client = app.CreateClient();

        // "eric" is a word of Xu Zhijun's alias Eric Xu, and a part of "America", an alias of the US government.
        var ids = (await client.GetJsonAsync("/entities?q=eric")).Ids();
        Assert.Equal("xu-zhijun", ids[0]);
        Assert.Contains("us-government", ids);

        var chinese = await client.GetJsonAsync("/entities/match?name=" + Uri.EscapeDataString("华为"));
        var first = chinese.GetProperty("items")[0];
        Assert.Equal("huawei", first.GetProperty("id").GetString());
        Assert.Equal("华为", first.GetProperty("matchedName").GetString());
        Assert.Equal(1.0, first.GetProperty("score").GetDouble());

        var part = (await client.GetJsonAsync("/entities/match?name=" + Uri.EscapeDataString("中芯"))).GetProperty("items")[0];
        Assert.Equal("smic", part.GetProperty("id").GetString());
        Assert.Equal("characters", part.GetProperty("reasons")[0].GetProperty("feature").GetString());

        var written = await client.GetJsonAsync("/entities/match?name=" + Uri.EscapeDataString("Eric Xu"));
        Assert.Equal(JsonValueKind.Array, written.GetProperty("items").ValueKind);
        Assert.Equal("alias", written.GetProperty("items")[0].GetProperty("matchedField").GetString());
    }
}
