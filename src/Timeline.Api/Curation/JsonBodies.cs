using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Timeline.Api.Dataset;

namespace Timeline.Api.Curation;

/// <summary>
/// Reads write bodies: JSON of the dataset format. A body that is not JSON at all is a 400; fields the
/// format does not have, and values of the wrong type, are listed (every one of them) for a 422.
/// </summary>
public static class JsonBodies
{
    private static readonly JsonSerializerOptions Lenient = new(DatasetReader.JsonOptions)
    {
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Skip,
    };

    public sealed record Parsed<T>(T? Value, JsonNode? Node, string? Malformed, Dictionary<string, string[]> Errors);

    /// <summary>Reads the request body as a JSON object.</summary>
    public static async Task<(JsonObject? Node, string? Malformed)> ReadObjectAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        try
        {
            var node = await JsonNode.ParseAsync(request.Body, new JsonNodeOptions { PropertyNameCaseInsensitive = false }, new JsonDocumentOptions { MaxDepth = 32 }, cancellationToken);
            return node is JsonObject obj ? (obj, null) : (null, "the body must be a JSON object");
        }
        catch (JsonException ex)
        {
            return (null, $"the body is not valid JSON ({FirstSentence(ex.Message)})");
        }
    }

    /// <summary>Binds a JSON object to a dataset-format record, listing every unknown field and mistyped value.</summary>
    public static (T? Value, Dictionary<string, string[]> Errors) Bind<T>(JsonObject node)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        UnknownFields(node, typeof(T), string.Empty, errors);
        try
        {
            var value = node.Deserialize<T>(Lenient);
            return (value, errors);
        }
        catch (JsonException ex)
        {
            var path = (ex.Path ?? "$").TrimStart('$').TrimStart('.');
            errors[path.Length == 0 ? "body" : path] = ["has a value of the wrong type"];
            return (default, errors);
        }
    }

    /// <summary>RFC 7396 JSON Merge Patch: objects merge recursively, null removes, anything else replaces.</summary>
    public static JsonNode? MergePatch(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }

        var result = target is JsonObject targetObject ? (JsonObject)targetObject.DeepClone() : new JsonObject();
        foreach (var (name, value) in patchObject)
        {
            if (value is null)
            {
                result.Remove(name);
            }
            else
            {
                var merged = MergePatch(result[name], value);
                result.Remove(name);
                result[name] = merged;
            }
        }

        return result;
    }

    private static void UnknownFields(JsonObject node, Type type, string path, Dictionary<string, string[]> errors)
    {
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .ToDictionary(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name), StringComparer.Ordinal);
        foreach (var (name, value) in node)
        {
            var here = path.Length == 0 ? name : $"{path}.{name}";
            if (!properties.TryGetValue(name, out var property))
            {
                errors[here] = [$"is not a field of this record; the fields are {string.Join(", ", properties.Keys)}"];
                continue;
            }

            var itemType = property.PropertyType.IsGenericType ? property.PropertyType.GetGenericArguments()[0] : null;
            if (itemType is not null && itemType != typeof(string) && value is JsonArray array)
            {
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is JsonObject item)
                    {
                        UnknownFields(item, itemType, $"{here}[{i}]", errors);
                    }
                }
            }
        }
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
