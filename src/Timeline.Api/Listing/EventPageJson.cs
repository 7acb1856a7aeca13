using System.Buffers;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Timeline.Model.Dates;

namespace Timeline.Api.Listing;

/// <summary>
/// A page of events as its JSON response: the shape of <see cref="EventPage"/> (and documented as one), written from the
/// events' JSON objects as the store made them.
/// </summary>
public sealed class EventPageJson(IReadOnlyList<byte[]> items, string? nextCursor) : IResult, IStatusCodeHttpResult, IContentTypeHttpResult, IEndpointMetadataProvider
{
    public const string JsonContentType = "application/json; charset=utf-8";

    public IReadOnlyList<byte[]> Items { get; } = items;

    public string? NextCursor { get; } = nextCursor;

    public int? StatusCode => StatusCodes.Status200OK;

    public string ContentType => JsonContentType;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var body = new ArrayBufferWriter<byte>(Items.Sum(i => i.Length + 1) + 512);
        using (var writer = new Utf8JsonWriter(body))
        {
            writer.WriteStartObject();
            writer.WriteStartArray(JsonNamingPolicy.CamelCase.ConvertName(nameof(EventPage.Items)));
            foreach (var item in Items)
            {
                writer.WriteRawValue(item, skipInputValidation: true);
            }

            writer.WriteEndArray();
            writer.WriteString(JsonNamingPolicy.CamelCase.ConvertName(nameof(EventPage.NextCursor)), NextCursor);
            writer.WriteEndObject();
        }

        httpContext.Response.StatusCode = StatusCodes.Status200OK;
        httpContext.Response.ContentType = JsonContentType;
        httpContext.Response.ContentLength = body.WrittenCount;
        await httpContext.Response.Body.WriteAsync(body.WrittenMemory, httpContext.RequestAborted);
    }

    /// <summary>Documents the response as <see cref="EventPage"/> in OpenAPI, exactly as <c>Ok&lt;EventPage&gt;</c> would.</summary>
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(EventPage), ["application/json"]));
}
