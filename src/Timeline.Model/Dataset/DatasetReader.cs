using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Timeline.Model.Dataset;

/// <summary>Reads a dataset file (data/timeline.json format) and the source texts it names.</summary>
public static class DatasetReader
{
    /// <summary>The one set of JSON options for the dataset format: camelCase, strict about unknown fields.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
        AllowDuplicateProperties = false,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Reads and validates a dataset file; throws <see cref="DatasetValidationException"/> naming every problem.</summary>
    public static async Task<ValidatedDataset> ReadAndValidateAsync(string path, CancellationToken cancellationToken)
    {
        var document = await ReadAsync(path, cancellationToken);
        return DatasetValidator.Validate(document, out var errors) ?? throw new DatasetValidationException(path, errors);
    }

    /// <summary>Reads a dataset file and loads every <c>textFile</c> (relative to the dataset's folder) into <c>text</c>.</summary>
    public static async Task<DatasetDocument> ReadAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new DatasetValidationException(path, [new DatasetError("(file)", "the dataset file does not exist")]);
        }

        DatasetDocument? document;
        try
        {
            await using var stream = File.OpenRead(path);
            document = await JsonSerializer.DeserializeAsync<DatasetDocument>(stream, JsonOptions, cancellationToken);
        }
        catch (JsonException ex)
        {
            var (field, message) = DescribeJsonError(ex);
            var where = ex.LineNumber is { } line ? $"line {line + 1}, byte {ex.BytePositionInLine + 1}" : "(json)";
            throw new DatasetValidationException(path, [new DatasetError($"{field ?? "(file)"} ({where})", message)]);
        }

        if (document is null)
        {
            throw new DatasetValidationException(path, [new DatasetError("(json)", "the file holds null, not a dataset object")]);
        }

        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var errors = new List<DatasetError>();
        var sources = new List<SourceDocument>();
        for (var i = 0; i < (document.Sources?.Count ?? 0); i++)
        {
            var source = document.Sources![i];
            if (source?.TextFile is null)
            {
                sources.Add(source!);
                continue;
            }

            var where = $"sources[{i}] '{source.Id}'.textFile";
            if (source.Text is not null)
            {
                errors.Add(new DatasetError(where, "give either text or textFile, not both"));
                continue;
            }

            var file = Path.GetFullPath(Path.Combine(folder, source.TextFile));
            if (!File.Exists(file))
            {
                errors.Add(new DatasetError(where, $"the file '{source.TextFile}' does not exist (paths are relative to the dataset's folder)"));
                continue;
            }

            try
            {
                var text = StrictUtf8.GetString(await File.ReadAllBytesAsync(file, cancellationToken));
                sources.Add(source with { Text = text });
            }
            catch (DecoderFallbackException)
            {
                errors.Add(new DatasetError(where, $"the file '{source.TextFile}' is not valid UTF-8"));
            }
        }

        if (errors.Count > 0)
        {
            throw new DatasetValidationException(path, errors);
        }

        return document with { Sources = document.Sources is null ? null : sources };
    }

    /// <summary>
    /// What is wrong with a dataset's JSON, in the dataset's terms (the field, and what it holds) rather than the
    /// serializer's (its .NET types and members): where (a field path such as <c>events[3].date</c>, or null for
    /// the document as a whole) and what.
    /// </summary>
    public static (string? Field, string Message) DescribeJsonError(JsonException error)
    {
        var field = (error.Path ?? "$").TrimStart('$').TrimStart('.') is { Length: > 0 } path ? path : null;
        var message = error.Message;
        var inner = error.InnerException?.Message ?? string.Empty;
        if (message.StartsWith("Duplicate property", StringComparison.Ordinal))
        {
            return (field, $"'{Quoted(message) ?? field}' is given twice in one record; give each field once");
        }

        if (message.Contains("could not be mapped", StringComparison.Ordinal))
        {
            return (field, $"'{Quoted(message) ?? field}' is not a field of the dataset format");
        }

        if (inner.Contains("UTF-8", StringComparison.Ordinal))
        {
            return (field, "is not valid UTF-8; send text encoded as UTF-8");
        }

        if (inner.Contains("UTF-16", StringComparison.Ordinal) || inner.Contains("surrogate", StringComparison.Ordinal))
        {
            return (field, "holds an unpaired UTF-16 surrogate (an escape such as \\ud800 without its partner), which is no character");
        }

        if (message.Contains("could not be converted", StringComparison.Ordinal))
        {
            return (field, "has a value of the wrong type (text, a number, a list or an object where the format has another)");
        }

        // The reader's own syntax errors ("'x' is an invalid start of a value", "expected ','") name no type.
        var where = error.LineNumber is { } line ? $" (line {line + 1}, byte {error.BytePositionInLine + 1})" : string.Empty;
        return (field, "is not valid JSON: " + FirstSentence(message).Replace(" LineNumber", string.Empty, StringComparison.Ordinal) + where);
    }

    private static string? Quoted(string message)
    {
        var start = message.IndexOf('\'');
        var end = start < 0 ? -1 : message.IndexOf('\'', start + 1);
        return end > start ? message[(start + 1)..end] : null;
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        cut = cut > 0 ? cut : message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).TrimEnd(' ', '|');
    }
}
