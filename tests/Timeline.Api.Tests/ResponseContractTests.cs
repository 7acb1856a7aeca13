using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Timeline.Api.Tests;

/// <summary>
/// The response check itself (ResponseContract.cs): it refuses what a document does not declare, so that the check
/// every test client runs cannot pass everything by accident.
/// </summary>
public sealed class ResponseContractTests(TimelineApp app) : IClassFixture<TimelineApp>
{
    /// <summary>A small document: one operation, GET /things/{id}, answering 200 with a Thing, or a 404 problem.</summary>
    private const string Snippet =
        """
        {
          "openapi": "3.1.1",
          "paths": {
            "/things/{id}": {
              "get": {
                "responses": {
                  "200": { "description": "OK", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Thing" } } } },
                  "404": { "description": "Not Found", "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/ProblemDetails" } } } }
                }
              }
            },
            "/things/special": {
              "get": { "responses": { "204": { "description": "No Content" } } }
            }
          },
          "components": {
            "schemas": {
              "Thing": {
                "type": "object",
                "required": ["id", "parts"],
                "properties": { "id": { "type": "integer" }, "parts": { "type": "array", "items": { "$ref": "#/components/schemas/Part" } } }
              },
              "Part": { "type": "object", "required": ["name"], "properties": { "name": { "type": "string" } } },
              "ProblemDetails": { "type": "object", "properties": { "status": { "type": "integer" }, "title": { "type": "string" } } }
            }
          }
        }
        """;

    private static readonly ResponseContract Contract = ResponseContract.Parse(Snippet);

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public void A_response_the_snippet_declares_passes()
    {
        Assert.Null(Contract.Check("GET", "/things/7", HttpStatusCode.OK, "application/json; charset=utf-8", Utf8("""{"id":7,"parts":[{"name":"bolt"}]}""")));
        Assert.Null(Contract.Check("GET", "/things/8", HttpStatusCode.NotFound, "application/problem+json", Utf8("""{"status":404,"title":"Not Found"}""")));
        Assert.Null(Contract.Check("GET", "/things/special", HttpStatusCode.NoContent, null, []));
    }

    [Fact]
    public void An_undocumented_status_is_named_with_its_operation_and_the_statuses_documented()
    {
        var problem = Contract.Check("GET", "/things/7?x=1", HttpStatusCode.InternalServerError, "application/problem+json", Utf8("""{"status":500}"""));

        Assert.NotNull(problem);
        Assert.Contains("GET /things/{id} (GET /things/7?x=1) answered 500 application/problem+json", problem);
        Assert.Contains("it documents 200, 404", problem);
    }

    [Fact]
    public void An_undocumented_content_type_is_named()
    {
        var problem = Contract.Check("GET", "/things/7", HttpStatusCode.OK, "text/plain", null);

        Assert.NotNull(problem);
        Assert.Contains("answered 200 text/plain, a content type the document does not declare for 200 (it declares application/json)", problem);
    }

    [Fact]
    public void A_body_that_differs_from_its_schema_is_named_by_json_path_through_component_references()
    {
        var problem = Contract.Check("GET", "/things/7", HttpStatusCode.OK, "application/json", Utf8("""{"id":"seven","parts":[{"name":"bolt"},{}]}"""));

        Assert.NotNull(problem);
        Assert.Contains("GET /things/{id} (GET /things/7) answered 200 application/json with a body that does not match the documented schema", problem);
        Assert.Contains("at $.id:", problem);
        Assert.Contains("at $.parts[1]:", problem);
        Assert.Contains("name", problem);
    }

    [Fact]
    public void A_literal_path_is_matched_before_a_template_and_an_unknown_method_or_path_may_only_be_refused()
    {
        Assert.NotNull(Contract.Check("GET", "/things/special", HttpStatusCode.OK, "application/json", Utf8("""{"id":1,"parts":[]}""")));
        Assert.Null(Contract.Check("GET", "/nothing", HttpStatusCode.NotFound, "application/problem+json", Utf8("""{"status":404}""")));
        Assert.Contains("no operation of the document has this path", Contract.Check("GET", "/nothing", HttpStatusCode.OK, "text/plain", null));
        Assert.Contains("the document has no DELETE on this path (only GET)", Contract.Check("DELETE", "/things/7", HttpStatusCode.NoContent, null, []));
        Assert.Null(Contract.Check("DELETE", "/things/7", HttpStatusCode.MethodNotAllowed, "application/problem+json", Utf8("""{"status":405}""")));
    }

    [Fact]
    public void A_document_other_than_OpenAPI_3_1_is_refused_as_its_schemas_would_be_misread()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => ResponseContract.Parse("""{"openapi":"3.0.3","paths":{}}"""));
        Assert.Contains("3.0.3", ex.Message);
    }

    [Fact]
    public async Task A_test_client_fails_the_request_when_the_app_answers_a_status_its_document_leaves_out()
    {
        // The served document, with the 404 of GET /events/{id} taken out: the app's real 404 must now fail the request.
        var served = JsonNode.Parse(await app.Server.CreateClient().GetStringAsync("/openapi/v1.json"))!;
        var responses = served["paths"]!["/events/{id}"]!["get"]!["responses"]!.AsObject();
        Assert.True(responses.Remove("404"));
        var wrong = ResponseContract.Parse(served.ToJsonString());
        using var client = app.CreateDefaultClient(new ResponseContractHandler(() => wrong));

        var ex = await Assert.ThrowsAsync<UndocumentedResponseException>(() => client.GetAsync("/events/no-such-event"));

        Assert.Contains("GET /events/{id} (GET /events/no-such-event) answered 404 application/problem+json, a status it does not document", ex.Message);
    }

    [Fact]
    public async Task A_test_client_fails_the_request_when_the_app_answers_a_body_its_document_types_otherwise()
    {
        // The served document, saying an event's title is a number.
        var served = JsonNode.Parse(await app.Server.CreateClient().GetStringAsync("/openapi/v1.json"))!;
        served["components"]!["schemas"]!["EventDetail"]!["properties"]!["title"] = new JsonObject { ["type"] = "integer" };
        var wrong = ResponseContract.Parse(served.ToJsonString());
        using var client = app.CreateDefaultClient(new ResponseContractHandler(() => wrong));

        var ex = await Assert.ThrowsAsync<UndocumentedResponseException>(() => client.GetAsync("/events/smic-added-to-us-sanctions-list"));

        Assert.Contains("GET /events/{id} (GET /events/smic-added-to-us-sanctions-list) answered 200 application/json", ex.Message);
        Assert.Contains("at $.title:", ex.Message);
    }

    [Fact]
    public async Task A_test_apps_client_accepts_a_documented_refusal_and_the_served_contract_refuses_an_undocumented_status()
    {
        // The check is on: an unknown path answers a documented refusal, a 404 problem, which passes...
        using var client = app.CreateClient();
        using var unknown = await client.GetAsync("/no-such-path");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

        // ...and the served document's contract, which every test client checks with, refuses what it does not declare.
        var problem = ResponseContract.Served.Check("GET", "/events/smic-added-to-us-sanctions-list", HttpStatusCode.Created, "application/json", Utf8("{}"));
        Assert.Contains("GET /events/{id}", problem);
        Assert.Contains("201", problem);
    }
}
