using System.Text;

namespace Timeline.Api.FederalRegister;

/// <summary>What one run of the importer did.</summary>
/// <param name="Read">Distinct documents read (from the API or the folder).</param>
/// <param name="Created">Sources created.</param>
/// <param name="Updated">Sources whose metadata changed.</param>
/// <param name="Unchanged">Sources already stored exactly so.</param>
/// <param name="AlreadyStored">Documents not fetched again because a source with their id is stored (online only).</param>
/// <param name="Skipped">Documents not imported, each with why.</param>
/// <param name="Pages">Search pages read.</param>
public sealed record FederalRegisterResult(int Read, int Created, int Updated, int Unchanged, int AlreadyStored, IReadOnlyList<string> Skipped, int Pages)
{
    /// <summary>Whether the run changed nothing in the store.</summary>
    public bool NothingNew => Created + Updated == 0;
}

/// <summary>
/// Imports Federal Register documents as sources, idempotent by document number: the source's id is "fr-" and the
/// document number, its metadata the document's (title, agencies as publisher, publication date, html_url, citation,
/// document number, effective date, agencies, type), its text exactly the raw text received. Writes go through the
/// store's import contract (a dataset of sources only), in one transaction.
/// <para>
/// Offline, it reads a folder: every <c>*.json</c> in it (in name order) is a search page (an object with
/// <c>results</c>; its <c>next_page_url</c> is not followed, every page is a file) or one document (an object with
/// <c>document_number</c>); the raw text of document N is the file <c>N.txt</c> beside them (e.g. 2020-28031.txt),
/// byte for byte as served at its raw_text_url. Online with a save folder, it writes that same layout.
/// </para>
/// </summary>
public static class FederalRegisterImport
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Imports the documents saved in <paramref name="folder"/>.</summary>
    public static async Task<FederalRegisterResult> FromFolderAsync(string folder, IDatasetStore store, TextWriter output, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(folder))
        {
            throw new FederalRegisterException($"{folder}: no such folder (give a folder of Federal Register JSON files and their NUMBER.txt raw texts).");
        }

        var files = Directory.GetFiles(folder, "*.json").Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0)
        {
            throw new FederalRegisterException($"{folder}: holds no *.json file (a search page or a document of the Federal Register API).");
        }

        var documents = new List<FederalRegisterDocument>();
        var pages = 0;
        foreach (var file in files)
        {
            var (found, page) = FederalRegisterJson.Parse(await File.ReadAllBytesAsync(file, cancellationToken), file);
            pages += page is null ? 0 : 1;
            output.WriteLine($"  {Path.GetFileName(file)}: {found.Count} document{(found.Count == 1 ? "" : "s")}{(page?.Count is { } count ? $" (of {count} the search found)" : "")}");
            documents.AddRange(found);
        }

        var skipped = new List<string>();
        var sources = new List<SourceDocument>();
        foreach (var document in Distinct(documents))
        {
            var file = Path.Combine(folder, document.DocumentNumber!.Trim() + ".txt");
            if (!File.Exists(file))
            {
                skipped.Add($"{document.DocumentNumber}: no raw text ({Path.GetFileName(file)} is not in the folder{(document.RawTextUrl is null ? "; the document has no raw_text_url" : "")})");
                continue;
            }

            Add(document, await File.ReadAllBytesAsync(file, cancellationToken), sources, skipped);
        }

        return await StoreAsync(Distinct(documents).Count, sources, skipped, 0, pages, store, output, cancellationToken);
    }

    /// <summary>Queries the API, following next_page_url, and imports every document not yet stored with its raw text.</summary>
    public static async Task<FederalRegisterResult> OnlineAsync(
        FederalRegisterQuery query,
        string api,
        int? maxPages,
        string? saveFolder,
        FederalRegisterClient client,
        IDatasetStore store,
        ISourceReader stored,
        TextWriter output,
        CancellationToken cancellationToken)
    {
        if (saveFolder is not null)
        {
            Directory.CreateDirectory(saveFolder);
        }

        var documents = new List<FederalRegisterDocument>();
        var seenUrls = new HashSet<string>(StringComparer.Ordinal);
        string? url = query.FirstPageUrl(api);
        var pages = 0;
        while (url is not null && seenUrls.Add(url) && (maxPages is null || pages < maxPages))
        {
            var json = await client.GetBytesAsync(url, cancellationToken)
                ?? throw new FederalRegisterException($"{url}: the search answered 404 (check the API address and the conditions).");
            pages++;
            var (found, page) = FederalRegisterJson.Parse(json, url);
            documents.AddRange(found);
            output.WriteLine($"  page {pages}{(page?.TotalPages is { } total ? $" of {total}" : "")}: {found.Count} documents ({documents.Count}{(page?.Count is { } count ? $" of {count}" : "")})");
            if (saveFolder is not null)
            {
                await File.WriteAllBytesAsync(Path.Combine(saveFolder, $"page-{pages:D3}.json"), json, cancellationToken);
            }

            url = page?.NextPageUrl;
        }

        var distinct = Distinct(documents);
        var skipped = new List<string>();
        var sources = new List<SourceDocument>();
        var alreadyStored = 0;
        var fetched = 0;
        foreach (var document in distinct)
        {
            if (await stored.ExistsAsync(document.SourceId, cancellationToken))
            {
                alreadyStored++;
                continue;
            }

            if (string.IsNullOrWhiteSpace(document.RawTextUrl))
            {
                skipped.Add($"{document.DocumentNumber}: no raw text (the document has no raw_text_url)");
                continue;
            }

            var text = await client.GetBytesAsync(document.RawTextUrl, cancellationToken);
            fetched++;
            if (fetched % 10 == 0)
            {
                output.WriteLine($"  raw texts: {fetched} fetched");
            }

            if (text is null)
            {
                skipped.Add($"{document.DocumentNumber}: no raw text ({document.RawTextUrl} answered 404)");
                continue;
            }

            if (saveFolder is not null)
            {
                await File.WriteAllBytesAsync(Path.Combine(saveFolder, document.DocumentNumber!.Trim() + ".txt"), text, cancellationToken);
            }

            Add(document, text, sources, skipped);
        }

        return await StoreAsync(distinct.Count, sources, skipped, alreadyStored, pages, store, output, cancellationToken);
    }

    /// <summary>The lines that tell what a run did.</summary>
    public static IEnumerable<string> Describe(FederalRegisterResult result, string location)
    {
        yield return $"Federal Register: {result.Read} document{(result.Read == 1 ? "" : "s")} read{(result.Pages > 0 ? $" from {result.Pages} page{(result.Pages == 1 ? "" : "s")}" : "")} into {location}:";
        yield return $"  sources: {result.Created} created, {result.Updated} updated, {result.Unchanged} unchanged"
            + (result.AlreadyStored > 0 ? $", {result.AlreadyStored} already stored (not fetched again)" : "")
            + $", {result.Skipped.Count} skipped";
        foreach (var skip in result.Skipped)
        {
            yield return $"  skipped {skip}";
        }

        if (result.NothingNew)
        {
            yield return "Nothing new: every document read is already stored as a source (ids fr-NUMBER); nothing was written.";
        }
    }

    private static List<FederalRegisterDocument> Distinct(List<FederalRegisterDocument> documents) =>
        [.. documents.GroupBy(d => d.DocumentNumber!.Trim(), StringComparer.Ordinal).Select(g => g.First())];

    /// <summary>Turns a document and its raw text into a source, or says why it is skipped.</summary>
    private static void Add(FederalRegisterDocument document, byte[] raw, List<SourceDocument> sources, List<string> skipped)
    {
        string text;
        try
        {
            // Strict: the store keeps a source's text as UTF-8, so only text that is UTF-8 is stored byte for byte.
            text = StrictUtf8.GetString(raw);
        }
        catch (DecoderFallbackException)
        {
            skipped.Add($"{document.DocumentNumber}: the raw text is not valid UTF-8, so it cannot be stored byte for byte");
            return;
        }

        if (!DatasetValidator.IsDocumentNumber(document.DocumentNumber))
        {
            skipped.Add($"{document.DocumentNumber}: not a document number of the form 2020-28031");
            return;
        }

        var source = document.ToSource(text);
        var errors = new List<DatasetError>();
        if (DatasetValidator.ValidateSource(source, $"document {document.DocumentNumber}", errors) is null)
        {
            skipped.Add($"{document.DocumentNumber}: {string.Join("; ", errors.Select(e => e.ToString()))}");
            return;
        }

        sources.Add(source);
    }

    private static async Task<FederalRegisterResult> StoreAsync(
        int read, List<SourceDocument> sources, List<string> skipped, int alreadyStored, int pages, IDatasetStore store, TextWriter output, CancellationToken cancellationToken)
    {
        if (sources.Count == 0)
        {
            return new FederalRegisterResult(read, 0, 0, 0, alreadyStored, skipped, pages);
        }

        output.WriteLine($"  importing {sources.Count} source{(sources.Count == 1 ? "" : "s")} in one transaction (each created, updated or left unchanged) ...");
        var (report, errors) = await store.ImportAsync(new DatasetDocument { Sources = sources, Entities = [], Events = [] }, "federal-register", cancellationToken);
        if (report is null)
        {
            throw new FederalRegisterException("The store refused the documents; nothing was written:" + string.Concat(errors.Select(e => $"{Environment.NewLine}  {e}")));
        }

        return new FederalRegisterResult(read, report.Sources.Created, report.Sources.Updated, report.Sources.Unchanged, alreadyStored, skipped, pages);
    }
}
