using System.Reflection;
using System.Text.RegularExpressions;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Timeline.Model.Dataset;

/// <summary>
/// A record's document as JSON: binding a JSON object to a dataset-format record (listing every unknown field and
/// mistyped value, keyed by field) and RFC 7396 JSON Merge Patch of one document by another.
/// </summary>
public static partial class DocumentJson
{
    private static readonly JsonSerializerOptions Lenient = new(DatasetReader.JsonOptions)
    {
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Skip,
    };

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

    /// <summary>The validator's problems keyed by field: paths such as "body 'x'.citations[0].quote" become "citations[0].quote" ("body" for the whole).</summary>
    public static Dictionary<string, string[]> Keyed(IEnumerable<DatasetError> errors) =>
        errors.GroupBy(e => FieldKey(e.Path))
            .ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray(), StringComparer.Ordinal);

    private static string FieldKey(string path)
    {
        var key = BodyPrefix().Replace(path, string.Empty);
        return key.Length == 0 ? "body" : key;
    }

    [GeneratedRegex(@"^body( '[^']*')?\.?")]
    private static partial Regex BodyPrefix();
}
