using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Timeline.Model.Dataset;

/// <summary>
/// An RFC 6902 JSON Patch over System.Text.Json nodes: a list of operations (add, remove, replace, move, copy, test),
/// each at an RFC 6901 JSON Pointer (<c>/citations/0/quote</c>; <c>~1</c> is a <c>/</c> and <c>~0</c> a <c>~</c> inside a
/// name; <c>-</c> is the end of an array, for add). The patch applies as a whole or not at all: the first operation that
/// cannot apply stops it, and the failure names that operation's index, op and path.
/// </summary>
/// <remarks>
/// Written here rather than taken from Microsoft.AspNetCore.JsonPatch.SystemTextJson: this project references only the
/// BCL, the patch is applied by the store inside its write transaction (so the store's contract carries it), and a
/// refusal must name the operation's index and path in the dataset's terms, which the package's exceptions do not.
/// </remarks>
public sealed class JsonPatch
{
    /// <summary>The operations RFC 6902 defines.</summary>
    public static readonly IReadOnlyList<string> Ops = ["add", "remove", "replace", "move", "copy", "test"];

    /// <summary>Values quoted in a refusal as they read (curly quotes and CJK unescaped); the problem's JSON escapes what it must.</summary>
    private static readonly JsonSerializerOptions Readable = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private JsonPatch(IReadOnlyList<JsonPatchOperation> operations) => Operations = operations;

    public IReadOnlyList<JsonPatchOperation> Operations { get; }

    /// <summary>
    /// Reads a patch document: a JSON array of operation objects. Every malformed operation (unknown op, missing or
    /// malformed path or from, missing value) is listed, keyed by its place (<c>[2].path</c>); members an operation
    /// does not define are ignored, as RFC 6902 requires.
    /// </summary>
    public static (JsonPatch? Patch, Dictionary<string, string[]> Errors) Parse(JsonNode? document)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (document is not JsonArray array)
        {
            errors["body"] = ["a JSON Patch is a JSON array of operations, such as [{\"op\": \"add\", \"path\": \"/caveats/-\", \"value\": \"…\"}]"];
            return (null, errors);
        }

        var operations = new List<JsonPatchOperation>();
        for (var i = 0; i < array.Count; i++)
        {
            if (array[i] is not JsonObject item)
            {
                errors[$"[{i}]"] = ["is not an operation object ({\"op\": …, \"path\": …})"];
                continue;
            }

            var op = Text(item, "op");
            if (op is null || !Ops.Contains(op))
            {
                errors[$"[{i}].op"] = [$"{(op is null ? "is missing or not a string" : $"'{op}' is not an operation")}; it is one of {string.Join(", ", Ops)}"];
            }

            var path = Text(item, "path");
            if (path is null)
            {
                errors[$"[{i}].path"] = ["is missing or not a string: a JSON Pointer such as /caveats/0"];
            }
            else if (Tokens(path) is null)
            {
                errors[$"[{i}].path"] = [PointerSyntax(path)];
            }

            string? from = null;
            if (op is "move" or "copy")
            {
                from = Text(item, "from");
                if (from is null)
                {
                    errors[$"[{i}].from"] = [$"is required by {op}: the JSON Pointer of the value to {op}"];
                }
                else if (Tokens(from) is null)
                {
                    errors[$"[{i}].from"] = [PointerSyntax(from)];
                }
            }

            var hasValue = item.ContainsKey("value");
            if (op is "add" or "replace" or "test" && !hasValue)
            {
                errors[$"[{i}].value"] = [$"is required by {op} (null is a value; leave nothing out)"];
            }

            if (op is not null && path is not null)
            {
                operations.Add(new JsonPatchOperation(i, op, path, from, hasValue ? item["value"]?.DeepClone() : null));
            }
        }

        return errors.Count > 0 ? (null, errors) : (new JsonPatch(operations), errors);
    }

    /// <summary>Applies every operation in order to a copy of <paramref name="document"/>: the patched copy, or the first operation that could not apply.</summary>
    public (JsonNode? Result, JsonPatchFailure? Failure) Apply(JsonNode? document)
    {
        var root = new Holder(document?.DeepClone());
        foreach (var operation in Operations)
        {
            var failure = operation.Op switch
            {
                "add" => Add(root, operation, operation.Path, operation.Value?.DeepClone()),
                "remove" => Remove(root, operation, operation.Path, out _),
                "replace" => Replace(root, operation),
                "move" => Move(root, operation),
                "copy" => Copy(root, operation),
                _ => Test(root, operation),
            };
            if (failure is not null)
            {
                return (null, failure);
            }
        }

        return (root.Value, null);
    }

    /// <summary>The document's root, so that a pointer of "" can replace it.</summary>
    private sealed class Holder(JsonNode? value)
    {
        public JsonNode? Value { get; set; } = value;

        /// <summary>How much the copy operations have added so far (see <see cref="MaxCopied"/>).</summary>
        public long Copied { get; set; }
    }

    /// <summary>
    /// The most a patch's copy operations may add, in characters of text and members or items: copy is the one operation
    /// that grows a document beyond what the request carries, and each copy of a copy doubles it (40 copies of a list
    /// into itself would need 2^40 items), so copies stop here, as a request body stops at the same order of size.
    /// </summary>
    public const long MaxCopied = 1_000_000;

    private static JsonPatchFailure? Add(Holder root, JsonPatchOperation operation, string path, JsonNode? value)
    {
        var tokens = Tokens(path)!;
        if (tokens.Count == 0)
        {
            root.Value = value;
            return null;
        }

        var (parent, failure) = Parent(root, operation, path, tokens);
        if (failure is not null)
        {
            return failure;
        }

        var last = tokens[^1];
        switch (parent)
        {
            case JsonObject parentObject:
                parentObject.Remove(last);
                parentObject[last] = value;
                return null;
            case JsonArray parentArray:
                if (last == "-")
                {
                    parentArray.Add(value);
                    return null;
                }

                if (Index(last) is not { } index || index > parentArray.Count)
                {
                    return Fail(operation, path, $"{Where(tokens.Take(tokens.Count - 1))} has {Items(parentArray.Count)}; an index to add at is from 0 to {parentArray.Count}, or - for the end");
                }

                parentArray.Insert(index, value);
                return null;
            default:
                return Fail(operation, path, $"{Where(tokens.Take(tokens.Count - 1))} is {Describe(parent)}, which has no members or items to add to");
        }
    }

    private static JsonPatchFailure? Remove(Holder root, JsonPatchOperation operation, string path, out JsonNode? removed)
    {
        removed = null;
        var tokens = Tokens(path)!;
        if (tokens.Count == 0)
        {
            removed = root.Value;
            root.Value = null;
            return null;
        }

        var (parent, failure) = Parent(root, operation, path, tokens);
        if (failure is not null)
        {
            return failure;
        }

        var last = tokens[^1];
        switch (parent)
        {
            case JsonObject parentObject when parentObject.ContainsKey(last):
                removed = parentObject[last];
                parentObject.Remove(last);
                return null;
            case JsonArray parentArray when Index(last) is { } index && index < parentArray.Count:
                removed = parentArray[index];
                parentArray.RemoveAt(index);
                removed = removed?.DeepClone();
                return null;
            default:
                return Missing(operation, path, tokens, parent);
        }
    }

    private static JsonPatchFailure? Replace(Holder root, JsonPatchOperation operation)
    {
        var tokens = Tokens(operation.Path)!;
        if (tokens.Count == 0)
        {
            root.Value = operation.Value?.DeepClone();
            return null;
        }

        var (parent, failure) = Parent(root, operation, operation.Path, tokens);
        if (failure is not null)
        {
            return failure;
        }

        var last = tokens[^1];
        switch (parent)
        {
            case JsonObject parentObject when parentObject.ContainsKey(last):
                parentObject[last] = operation.Value?.DeepClone();
                return null;
            case JsonArray parentArray when Index(last) is { } index && index < parentArray.Count:
                parentArray[index] = operation.Value?.DeepClone();
                return null;
            default:
                return Missing(operation, operation.Path, tokens, parent);
        }
    }

    private static JsonPatchFailure? Move(Holder root, JsonPatchOperation operation)
    {
        var from = operation.From!;
        if (operation.Path.StartsWith(from + "/", StringComparison.Ordinal))
        {
            return Fail(operation, operation.Path, $"cannot move {(from.Length == 0 ? "the document's root" : from)} into itself ({operation.Path} is inside it)");
        }

        if (from == operation.Path)
        {
            return Find(root, operation, from, out _);
        }

        var failure = Remove(root, operation, from, out var value);
        return failure ?? Add(root, operation, operation.Path, value?.Parent is null ? value : value.DeepClone());
    }

    private static JsonPatchFailure? Copy(Holder root, JsonPatchOperation operation)
    {
        var failure = Find(root, operation, operation.From!, out var value);
        if (failure is not null)
        {
            return failure;
        }

        root.Copied += Weight(value, MaxCopied - root.Copied);
        if (root.Copied > MaxCopied)
        {
            return Fail(operation, operation.Path,
                $"the copies of this patch would add more than {MaxCopied.ToString("N0", CultureInfo.InvariantCulture)} characters and items to the document; send the values themselves with add");
        }

        return Add(root, operation, operation.Path, value?.DeepClone());
    }

    /// <summary>The size of a value in characters of text plus members and items, counted only up to just past <paramref name="budget"/>.</summary>
    private static long Weight(JsonNode? node, long budget)
    {
        long weight = 0;
        var pending = new Stack<JsonNode?>();
        pending.Push(node);
        while (pending.Count > 0 && weight <= budget)
        {
            weight++;
            switch (pending.Pop())
            {
                case JsonObject obj:
                    foreach (var (key, member) in obj)
                    {
                        weight += key.Length;
                        pending.Push(member);
                    }

                    break;
                case JsonArray array:
                    foreach (var item in array)
                    {
                        pending.Push(item);
                    }

                    break;
                case JsonValue text when text.GetValueKind() == JsonValueKind.String:
                    weight += text.GetValue<string>().Length;
                    break;
            }
        }

        return weight;
    }

    private static JsonPatchFailure? Test(Holder root, JsonPatchOperation operation)
    {
        var failure = Find(root, operation, operation.Path, out var actual);
        if (failure is not null)
        {
            return failure;
        }

        return JsonNode.DeepEquals(actual, operation.Value)
            ? null
            : new JsonPatchFailure(operation.Index, operation.Op, operation.Path,
                $"the value at {(operation.Path.Length == 0 ? "the document's root" : operation.Path)} is {Short(actual)}, not {Short(operation.Value)}", TestFailed: true, actual?.DeepClone());
    }

    /// <summary>The value at <paramref name="path"/>, which must exist.</summary>
    private static JsonPatchFailure? Find(Holder root, JsonPatchOperation operation, string path, out JsonNode? value)
    {
        value = null;
        var tokens = Tokens(path)!;
        if (tokens.Count == 0)
        {
            value = root.Value;
            return null;
        }

        var (parent, failure) = Parent(root, operation, path, tokens);
        if (failure is not null)
        {
            return failure;
        }

        var last = tokens[^1];
        switch (parent)
        {
            case JsonObject parentObject when parentObject.ContainsKey(last):
                value = parentObject[last];
                return null;
            case JsonArray parentArray when Index(last) is { } index && index < parentArray.Count:
                value = parentArray[index];
                return null;
            default:
                return Missing(operation, path, tokens, parent);
        }
    }

    /// <summary>The container the last token of <paramref name="tokens"/> is in; every token before it must exist.</summary>
    private static (JsonNode? Parent, JsonPatchFailure? Failure) Parent(Holder root, JsonPatchOperation operation, string path, IReadOnlyList<string> tokens)
    {
        var node = root.Value;
        for (var i = 0; i < tokens.Count - 1; i++)
        {
            var token = tokens[i];
            switch (node)
            {
                case JsonObject nodeObject when nodeObject.ContainsKey(token):
                    node = nodeObject[token];
                    break;
                case JsonArray nodeArray when Index(token) is { } index && index < nodeArray.Count:
                    node = nodeArray[index];
                    break;
                default:
                    return (null, Missing(operation, path, tokens.Take(i + 1).ToList(), node));
            }
        }

        return (node, null);
    }

    private static JsonPatchFailure Missing(JsonPatchOperation operation, string path, IReadOnlyList<string> tokens, JsonNode? container)
    {
        var token = tokens[^1];
        var at = Where(tokens.Take(tokens.Count - 1));
        var why = container switch
        {
            JsonObject => $"{at} has no member '{token}'",
            JsonArray array when token == "-" => $"- names the end of {at}, where there is no item yet (- is only for add)",
            JsonArray array => Index(token) is null
                ? $"{at} is an array, and '{token}' is not an index (0, 1, 2, … without leading zeros)"
                : $"{at} has {Items(array.Count)}, so there is no item {token}",
            _ => $"{at} is {Describe(container)}, which has no member '{token}'",
        };
        return Fail(operation, path, why);
    }

    private static JsonPatchFailure Fail(JsonPatchOperation operation, string path, string why) =>
        new(operation.Index, operation.Op, path, why, TestFailed: false, null);

    /// <summary>The tokens of an RFC 6901 JSON Pointer ("" is the whole document), or null when it is not one.</summary>
    public static IReadOnlyList<string>? Tokens(string jsonPointer)
    {
        if (jsonPointer.Length == 0)
        {
            return [];
        }

        if (jsonPointer[0] != '/')
        {
            return null;
        }

        var tokens = new List<string>();
        foreach (var raw in jsonPointer[1..].Split('/'))
        {
            for (var i = raw.IndexOf('~'); i >= 0; i = raw.IndexOf('~', i + 1))
            {
                if (i + 1 >= raw.Length || (raw[i + 1] != '0' && raw[i + 1] != '1'))
                {
                    return null;
                }
            }

            tokens.Add(raw.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal));
        }

        return tokens;
    }

    private static string PointerSyntax(string jsonPointer) =>
        jsonPointer.Length > 0 && jsonPointer[0] != '/'
            ? $"'{jsonPointer}' is not a JSON Pointer: it starts with / (/{jsonPointer}), or is empty for the whole document"
            : $"'{jsonPointer}' is not a JSON Pointer: a ~ is written ~0 and a / inside a name ~1, and ~ stands for nothing else";

    private static int? Index(string token) =>
        token.Length > 0 && token.All(char.IsAsciiDigit) && (token.Length == 1 || token[0] != '0')
        && int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            ? index
            : null;

    private static string Where(IEnumerable<string> tokens) =>
        !tokens.Any() ? "the document" : string.Concat(tokens.Select(t => "/" + t.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal)));

    private static string Items(int count) => count == 1 ? "1 item" : $"{count} items";

    private static string Describe(JsonNode? node) => node is null ? "null" : node.GetValueKind() switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "a value",
    };

    private static string Short(JsonNode? node)
    {
        var json = node?.ToJsonString(Readable) ?? "null";
        return json.Length <= 200 ? json : string.Concat(json.AsSpan(0, 200), "…");
    }

    private static string? Text(JsonObject item, string name) =>
        item[name] is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;
}

/// <summary>One operation of a <see cref="JsonPatch"/>: its index in the patch, op, path, from (move, copy) and value (add, replace, test).</summary>
public sealed record JsonPatchOperation(int Index, string Op, string Path, string? From, JsonNode? Value);

/// <summary>
/// Why a patch could not apply: the operation (its index from 0, op and path) and what was wrong. <paramref name="TestFailed"/>
/// is a test operation whose value differed (<paramref name="Actual"/> holds the value found); otherwise a path or
/// from named nothing where the operation needed something.
/// </summary>
public sealed record JsonPatchFailure(int Index, string Op, string Path, string Reason, bool TestFailed, JsonNode? Actual);
