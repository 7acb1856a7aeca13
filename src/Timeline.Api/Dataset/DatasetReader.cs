using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Timeline.Api.Dataset;

/// <summary>Reads a dataset file (data/timeline.json format) and the source texts it names.</summary>
public static class DatasetReader
{
    /// <summary>The one set of JSON options for the dataset format: camelCase, strict about unknown fields.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
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
            var where = ex.LineNumber is { } line ? $"line {line + 1}, byte {ex.BytePositionInLine + 1}" : "(json)";
            throw new DatasetValidationException(path, [new DatasetError($"{ex.Path ?? "$"} ({where})", FirstSentence(ex.Message))]);
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

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
