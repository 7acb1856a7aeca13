using System.Text.Json;
using System.Text.Json.Nodes;
using Timeline.Model.Dataset;

namespace Timeline.Api.Curation;

/// <summary>
/// Reads write bodies from the request: a body that is not a strict JSON object at all is a 400. Binding the object
/// to the dataset format (fields the format does not have, values of the wrong type: every one of them listed for a
/// 422) is the store's, through <see cref="DocumentJson"/>.
/// </summary>
public static class JsonBodies
{
    /// <summary>
    /// Reads the request body as a JSON object, strictly: the bytes must be UTF-8 (a stray byte is refused, never
    /// replaced by U+FFFD and stored), no object may name a field twice, and no string or field name may hold half of
    /// a surrogate pair (an escaped <c>\ud800</c> alone). A refusal names the field at fault where there is one.
    /// </summary>
    public static async Task<BodyRead> ReadObjectAsync(HttpRequest request, CancellationToken cancellationToken) =>
        ParseObject(await ReadBytesAsync(request, cancellationToken));

    /// <summary>Reads the request body as a JSON array (a JSON Patch), as strictly as <see cref="ReadObjectAsync"/> reads an object.</summary>
    public static async Task<BodyRead> ReadArrayAsync(HttpRequest request, CancellationToken cancellationToken) =>
        Parse(await ReadBytesAsync(request, cancellationToken), JsonValueKind.Array);

    /// <summary>The request body's bytes, exactly as sent.</summary>
    public static async Task<ReadOnlyMemory<byte>> ReadBytesAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken);
        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }

    /// <summary>The strict reading of <see cref="ReadObjectAsync"/>, on bytes already in memory.</summary>
    public static BodyRead ParseObject(ReadOnlyMemory<byte> utf8) => Parse(utf8, JsonValueKind.Object);

    private static BodyRead Parse(ReadOnlyMemory<byte> utf8, JsonValueKind expected)
    {
        // A UTF-8 byte-order mark (Notepad, PowerShell) is no part of the JSON; the stream readers skip it too.
        if (utf8.Span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            utf8 = utf8[3..];
        }

        if (FirstInvalidUtf8(utf8.Span) is { } offset)
        {
            return BodyRead.Refused($"the body is not valid UTF-8: byte {offset} (0x{utf8.Span[offset]:X2}) starts no UTF-8 character; send text encoded as UTF-8", null);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8, new JsonDocumentOptions { MaxDepth = 32, AllowDuplicateProperties = false });
        }
        catch (JsonException ex)
        {
            var field = FieldOf(ex.Path);
            return ex.Message.StartsWith("Duplicate property", StringComparison.Ordinal)
                ? BodyRead.Refused($"{DuplicateName(ex.Message) ?? field ?? "a field"} is given twice in one object{(field is null ? string.Empty : $" (at {field})")}; give each field once", field)
                : BodyRead.Refused($"the body is not valid JSON ({FirstSentence(ex.Message)})", field);
        }
        catch (InvalidOperationException)
        {
            // Comparing field names for duplicates unescapes them: one holds half of a surrogate pair.
            return BodyRead.Refused(UnpairedSurrogate("a field name"), null);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != expected)
            {
                return BodyRead.Refused(expected == JsonValueKind.Object ? "the body must be a JSON object" : "the body must be a JSON array (of JSON Patch operations)", null);
            }

            try
            {
                if (UnpairedSurrogateIn(document.RootElement, string.Empty) is { } broken)
                {
                    return BodyRead.Refused(UnpairedSurrogate(broken), broken);
                }
            }
            catch (DuplicateFieldException twice)
            {
                return BodyRead.Refused($"{twice.Field} is given twice in one object (field names are matched whatever their case); give each field once", twice.Field);
            }

            // The checked document becomes the node as it is, without being written out and parsed again.
            var options = new JsonNodeOptions { PropertyNameCaseInsensitive = false };
            return new BodyRead(expected == JsonValueKind.Object
                ? JsonObject.Create(document.RootElement.Clone(), options)!
                : JsonArray.Create(document.RootElement.Clone(), options)!, null, null);
        }
    }

    /// <summary>
    /// Where bytes are not UTF-8: the offset of the first byte that starts no UTF-8 character, or null when all of
    /// them are UTF-8 (a stray byte is refused, never replaced by U+FFFD).
    /// </summary>
    public static int? FirstInvalidUtf8(ReadOnlySpan<byte> bytes)
    {
        var consumed = 0;
        while (consumed < bytes.Length)
        {
            if (System.Text.Rune.DecodeFromUtf8(bytes[consumed..], out _, out var length) != System.Buffers.OperationStatus.Done)
            {
                return consumed;
            }

            consumed += length;
        }

        return null;
    }

    /// <summary>The body as a JSON object, or why it was refused (and the field at fault, where there is one).</summary>
    public sealed record BodyRead(JsonNode? Value, string? Malformed, string? Field)
    {
        /// <summary>The body read as a JSON object (null when it was refused, or read as an array).</summary>
        public JsonObject? Node => Value as JsonObject;

        public static BodyRead Refused(string why, string? field) => new(null, why, field);

        /// <summary>The refusal as a 400 problem, with the field at fault under <c>errors</c>.</summary>
        public Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult ToProblem() =>
            TypedResults.Problem(new HttpValidationProblemDetails(new Dictionary<string, string[]> { [Field ?? "body"] = [Malformed ?? "cannot be read"] })
            {
                Status = StatusCodes.Status400BadRequest,
                Title = "Malformed body",
                Detail = Malformed,
            });
    }

    /// <summary>
    /// The path of the first string or field name that holds a lone surrogate, or null; a field named twice in one
    /// object (whatever the case) throws <see cref="DuplicateFieldException"/>, since the binder would take one of them.
    /// </summary>
    private static string? UnpairedSurrogateIn(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                foreach (var property in element.EnumerateObject())
                {
                    string? name;
                    try
                    {
                        name = property.Name;
                    }
                    catch (InvalidOperationException)
                    {
                        name = null;
                    }

                    if (name is null || !WellFormed(name))
                    {
                        return path.Length == 0 ? "a field name" : $"a field name in {path}";
                    }

                    if (!names.Add(name))
                    {
                        // Field names are matched whatever their case: "Id" beside "id" gives the same field twice.
                        throw new DuplicateFieldException(path.Length == 0 ? name : $"{path}.{name}");
                    }

                    if (UnpairedSurrogateIn(property.Value, path.Length == 0 ? name : $"{path}.{name}") is { } found)
                    {
                        return found;
                    }
                }

                return null;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (UnpairedSurrogateIn(item, $"{path}[{index++}]") is { } found)
                    {
                        return found;
                    }
                }

                return null;
            case JsonValueKind.String:
                bool wellFormed;
                try
                {
                    wellFormed = WellFormed(element.GetString()!);
                }
                catch (InvalidOperationException)
                {
                    wellFormed = false;
                }

                return wellFormed ? null : path.Length == 0 ? "body" : path;

            default:
                return null;
        }
    }

    private static string UnpairedSurrogate(string where) =>
        $"{where} holds an unpaired UTF-16 surrogate (an escape such as \\ud800 without its partner), which is no character; send the text as it is";

    /// <summary>Whether every surrogate in the text is half of a pair.</summary>
    public static bool WellFormed(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static string? FieldOf(string? jsonPath)
    {
        var field = (jsonPath ?? "$").TrimStart('$').TrimStart('.');
        return field.Length == 0 ? null : field;
    }

    private static string? DuplicateName(string message)
    {
        var start = message.IndexOf('\'');
        var end = start < 0 ? -1 : message.IndexOf('\'', start + 1);
        return end > start ? message[(start + 1)..end] : null;
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }

    private sealed class DuplicateFieldException(string field) : Exception(field)
    {
        public string Field { get; } = field;
    }
}
