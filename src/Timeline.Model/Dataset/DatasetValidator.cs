using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Timeline.Model.Dates;
using Timeline.Model.Entities;
using Timeline.Model.Vocabulary;

namespace Timeline.Model.Dataset;

/// <summary>
/// The rules every source, entity and event must meet, wherever it comes from (the seed, an import or
/// a write). It collects every problem rather than stopping at the first, and computes what must never
/// be typed by hand: citation offsets and text hashes.
/// </summary>
public static partial class DatasetValidator
{
    public const int MaxIdLength = 120;
    public const int MaxTitleLength = 300;
    public const int MaxSummaryLength = 4000;
    public const int MaxQuoteLength = 2000;
    public const int MaxCaveatLength = 1000;
    public const int MaxListLength = 50;
    public const int MaxTagLength = 60;
    public const int MaxNameLength = 200;
    public const int MaxDescriptionLength = 2000;
    public const int MaxSourceTextLength = 5_000_000;

    /// <summary>
    /// The years a date in the dataset (an event's date and end date, a source's publication date) may fall in.
    /// The first is before the first semiconductor device and every export-control regime this timeline covers
    /// (CoCom dates from 1949); the last leaves room for announced future deadlines and phase-outs. Both keep
    /// every day an exporter computes in range, the exclusive end (the day after the last day covered, as in
    /// iCalendar's DTEND) included, with four-digit years everywhere.
    /// </summary>
    public const int FirstYear = 1900;

    /// <inheritdoc cref="FirstYear"/>
    public const int LastYear = 2199;

    [GeneratedRegex("^[a-z0-9]+(?:-[a-z0-9]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex SlugPattern();

    [GeneratedRegex("^[A-Z]{2}$", RegexOptions.CultureInvariant)]
    private static partial Regex CountryPattern();

    [GeneratedRegex(@"^[0-9]{1,3} FR [0-9]{1,6}$", RegexOptions.CultureInvariant)]
    private static partial Regex FederalRegisterCitationPattern();

    [GeneratedRegex(@"^[0-9]{4}-[0-9]{5}$", RegexOptions.CultureInvariant)]
    private static partial Regex DocumentNumberPattern();

    /// <summary>References one event may carry.</summary>
    public const int MaxReferences = 20;

    /// <summary>Whether a text is an official Federal Register citation: volume, "FR", page, as in "85 FR 83416".</summary>
    public static bool IsFederalRegisterCitation(string? value) => value is not null && FederalRegisterCitationPattern().IsMatch(value);

    /// <summary>Whether a text is a Federal Register document number: year, hyphen, five digits, as in "2020-28031".</summary>
    public static bool IsDocumentNumber(string? value) => value is not null && DocumentNumberPattern().IsMatch(value);

    /// <summary>Whether a string is a valid id or tag: lowercase ASCII letters and digits in hyphen-separated words.</summary>
    /// <summary>Entity ids that name an endpoint under /entities, so no entity may take them.</summary>
    public static readonly IReadOnlySet<string> ReservedEntityIds = new HashSet<string>(StringComparer.Ordinal) { "match" };

    public static bool IsSlug(string? value) => value is { Length: > 0 and <= MaxIdLength } && SlugPattern().IsMatch(value);

    /// <summary>
    /// Validates a dataset whose source texts are already loaded (see <see cref="DatasetReader"/>).
    /// Returns the validated dataset, or null with <paramref name="errors"/> filled.
    /// </summary>
    public static ValidatedDataset? Validate(DatasetDocument document, out IReadOnlyList<DatasetError> errors) =>
        Validate(document, null, out errors);

    /// <summary>
    /// Validates a dataset that may also refer to sources and entities already in the store
    /// (<paramref name="store"/>: the text of a stored source by id, and whether a stored entity exists).
    /// </summary>
    public static ValidatedDataset? Validate(DatasetDocument document, StoreLookup? store, out IReadOnlyList<DatasetError> errors)
    {
        var found = new List<DatasetError>();
        var sources = new List<ValidSource>();
        var entities = new List<ValidEntity>();
        var events = new List<ValidEvent>();

        var sourceTexts = new Dictionary<string, string>(StringComparer.Ordinal);
        var entityIds = new HashSet<string>(StringComparer.Ordinal);

        ForEach(document.Sources, "sources", found, (source, path) =>
        {
            if (ValidateSource(source, path, found) is { } valid)
            {
                if (!sourceTexts.TryAdd(valid.Id, valid.Text))
                {
                    found.Add(new DatasetError($"{path}.id", $"the id '{valid.Id}' is used by another source"));
                }
                else
                {
                    sources.Add(valid);
                }
            }
        });

        foreach (var duplicate in sources.GroupBy(s => s.Sha256).Where(g => g.Count() > 1))
        {
            found.Add(new DatasetError(
                $"sources '{duplicate.First().Id}'",
                $"the same text (sha256 {duplicate.Key}) is also source {string.Join(", ", duplicate.Skip(1).Select(s => $"'{s.Id}'"))}"));
        }

        ForEach(document.Entities, "entities", found, (entity, path) =>
        {
            if (ValidateEntity(entity, path, found) is { } valid)
            {
                if (!entityIds.Add(valid.Id))
                {
                    found.Add(new DatasetError($"{path}.id", $"the id '{valid.Id}' is used by another entity"));
                }
                else
                {
                    entities.Add(valid);
                }
            }
        });

        var eventIds = new HashSet<string>(StringComparer.Ordinal);
        IReadOnlyDictionary<string, string> texts = store is null ? sourceTexts : new LayeredTexts(sourceTexts, store.SourceText);
        Func<string, bool> entityExists = store is null ? entityIds.Contains : id => entityIds.Contains(id) || store.EntityExists(id);
        // An unknown entity id is answered with the nearest of the dataset's own (did you mean), matched only when one occurs.
        var nearest = new Lazy<EntityMatcher>(() => new EntityMatcher(entities.Select(e => new EntityNames(e.Id, e.Name, e.Kind, e.Country, e.Aliases))));
        // Events are checked in parallel (each check only reads the sources and entities), then gathered in order.
        var eventList = document.Events;
        if (eventList is null)
        {
            found.Add(new DatasetError("events", "the dataset has no 'events' list"));
        }
        else
        {
            var results = new (ValidEvent? Valid, List<DatasetError>? Errors)[eventList.Count];
            Parallel.For(0, eventList.Count, i =>
            {
                if (eventList[i] is null)
                {
                    results[i] = (null, [new DatasetError($"events[{i}]", "the record is null")]);
                    return;
                }

                var errorsHere = new List<DatasetError>();
                var valid = ValidateEvent(eventList[i], $"events[{i}]", texts, entityExists, errorsHere, id => nearest.Value.DidYouMean(id));
                results[i] = (valid, errorsHere.Count > 0 ? errorsHere : null);
            });

            for (var i = 0; i < results.Length; i++)
            {
                if (results[i].Errors is { } errorsHere)
                {
                    found.AddRange(errorsHere);
                }
                else if (results[i].Valid is { } valid && !eventIds.Add(valid.Id))
                {
                    found.Add(new DatasetError($"events[{i}] '{valid.Id}'.id", $"the id '{valid.Id}' is used by another event"));
                }
                else if (results[i].Valid is { } added)
                {
                    events.Add(added);
                }
            }
        }

        CheckFormerIds("sources", sources.Select(s => (s.Id, s.FormerIds)), found);
        CheckFormerIds("entities", entities.Select(e => (e.Id, e.FormerIds)), found);
        CheckFormerIds("events", events.Select(e => (e.Id, e.FormerIds)), found);
        CheckEventLinks(events, store, found);

        errors = found;
        return found.Count == 0 ? new ValidatedDataset(sources, entities, events) : null;
    }

    /// <summary>" (did you mean 'supplier'?)" for a value near a term of the vocabulary, else empty.</summary>
    private static string DidYouMean(IReadOnlyList<Term> terms, string? value) =>
        EntityMatcher.NearestTerm(terms, value) is { } nearest ? $" (did you mean '{nearest.Id}'?)" : string.Empty;

    /// <summary>A date of the dataset: YYYY, YYYY-MM or YYYY-MM-DD (a real calendar date) in a year from <see cref="FirstYear"/> to <see cref="LastYear"/>.</summary>
    public static bool TryParseDate(string? text, out PartialDate date, out string? error)
    {
        if (!PartialDate.TryParse(text, out date, out error))
        {
            return false;
        }

        if (date.Year is < FirstYear or > LastYear)
        {
            error = $"'{text}' is outside the years the timeline accepts, {FirstYear} to {LastYear}";
            date = default;
            return false;
        }

        return true;
    }

    /// <summary>How a dataset gives a source's text, said when a source has none.</summary>
    public const string DatasetTextHint = "give its full text in `text` (a dataset file may instead name a UTF-8 file beside it in `textFile`; POST /import takes `text` only)";

    /// <summary>How a write of one source (POST /sources) gives its text, said when a source has none.</summary>
    public const string WriteTextHint = "send the full text in `text`, or POST /sources with the text itself as the body (Content-Type: text/plain; charset=utf-8, metadata as query parameters) or as a file part named `text` of a multipart/form-data body (metadata as form fields)";

    /// <summary>
    /// Checks one source; null when it has problems (added to <paramref name="errors"/>). <paramref name="textHint"/>
    /// says how the caller's format gives a text, for a source that has none.
    /// </summary>
    public static ValidSource? ValidateSource(SourceDocument source, string path, List<DatasetError> errors, string textHint = DatasetTextHint)
    {
        var before = errors.Count;
        path = Name(path, source.Id);
        var id = RequireSlug(source.Id, $"{path}.id", errors);
        var title = RequireText(source.Title, $"{path}.title", 500, errors);
        var publisher = OptionalText(source.Publisher, $"{path}.publisher", MaxNameLength, errors);
        var author = OptionalText(source.Author, $"{path}.author", MaxNameLength, errors);
        PartialDate? published = null;
        if (source.PublishedDate is not null)
        {
            if (TryParseDate(source.PublishedDate, out var date, out var dateError))
            {
                published = date;
            }
            else
            {
                errors.Add(new DatasetError($"{path}.publishedDate", dateError!));
            }
        }

        if (source.Url is not null
            && (!Uri.TryCreate(source.Url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)))
        {
            errors.Add(new DatasetError($"{path}.url", $"'{source.Url}' is not an absolute http or https URL"));
        }

        var text = source.Text;
        if (string.IsNullOrEmpty(text))
        {
            errors.Add(new DatasetError($"{path}.text", $"the source has no text: {textHint}"));
        }
        else if (text.Length > MaxSourceTextLength)
        {
            errors.Add(new DatasetError($"{path}.text", $"the text is longer than {MaxSourceTextLength} characters"));
        }
        else if (text.IndexOf('\0', StringComparison.Ordinal) is var nul and >= 0)
        {
            // SQLite's text functions stop at a NUL (a source's length read "a\0b" as 1), and no article holds one: it marks a binary file.
            errors.Add(new DatasetError($"{path}.text", $"holds a NUL character (U+0000) at character {nul}: a source's text is text, and a NUL marks a binary file"));
        }

        var notes = StringList(source.Notes, $"{path}.notes", MaxCaveatLength, errors);
        CheckCitation(source.Citation, $"{path}.citation", errors);
        CheckDocumentNumber(source.DocumentNumber, $"{path}.documentNumber", errors);
        PartialDate? effective = null;
        if (source.EffectiveDate is not null)
        {
            if (TryParseDate(source.EffectiveDate, out var date, out var dateError))
            {
                effective = date;
            }
            else
            {
                errors.Add(new DatasetError($"{path}.effectiveDate", dateError!));
            }
        }

        var agencies = StringList(source.Agencies, $"{path}.agencies", MaxNameLength, errors);
        var documentType = OptionalText(source.DocumentType, $"{path}.documentType", 100, errors);
        if (documentType is not null && string.IsNullOrWhiteSpace(documentType))
        {
            errors.Add(new DatasetError($"{path}.documentType", "is empty (leave it out when unknown)"));
        }

        var formerIds = FormerIds(source.FormerIds, id, $"{path}.formerIds", errors);


        return errors.Count > before
            ? null
            : new ValidSource(id!, title!, publisher, author, published, source.Url, text!, Sha256(text!), notes)
            {
                Citation = source.Citation,
                DocumentNumber = source.DocumentNumber,
                EffectiveDate = effective,
                Agencies = agencies,
                DocumentType = documentType,
                Standalone = source.Standalone == true,
                FormerIds = formerIds,
            };
    }

    /// <summary>Checks one entity; null when it has problems (added to <paramref name="errors"/>).</summary>
    public static ValidEntity? ValidateEntity(EntityDocument entity, string path, List<DatasetError> errors)
    {
        var before = errors.Count;
        path = Name(path, entity.Id);
        var id = RequireSlug(entity.Id, $"{path}.id", errors);
        if (id is not null && ReservedEntityIds.Contains(id))
        {
            // GET /entities/match is the matcher: an entity with this id could never be read at /entities/{id}.
            errors.Add(new DatasetError($"{path}.id", $"'{id}' is reserved: /entities/{id} is an endpoint of its own; choose another id"));
        }

        var name = RequireText(entity.Name, $"{path}.name", MaxNameLength, errors);
        if (!Vocabularies.IsEntityKind(entity.Kind))
        {
            errors.Add(new DatasetError($"{path}.kind", $"'{entity.Kind}' is not an entity kind{DidYouMean(Vocabularies.EntityKinds, entity.Kind)} (one of {Vocabularies.List(Vocabularies.EntityKinds)})"));
        }

        if (entity.Country is not null && !CountryPattern().IsMatch(entity.Country))
        {
            errors.Add(new DatasetError($"{path}.country", $"'{entity.Country}' is not an ISO 3166-1 alpha-2 code such as CN or US"));
        }

        var aliases = StringList(entity.Aliases, $"{path}.aliases", MaxNameLength, errors);
        var description = OptionalText(entity.Description, $"{path}.description", MaxDescriptionLength, errors);
        var formerIds = FormerIds(entity.FormerIds, id, $"{path}.formerIds", errors);

        return errors.Count > before
            ? null
            : new ValidEntity(id!, name!, entity.Kind!, entity.Country, aliases, description) { FormerIds = formerIds, Standalone = entity.Standalone == true };
    }

    /// <summary>
    /// Checks one event against the sources (id to full text) and entities it may reference; null when it
    /// has problems (added to <paramref name="errors"/>). Citation offsets are computed here.
    /// </summary>
    public static ValidEvent? ValidateEvent(
        EventDocument @event,
        string path,
        IReadOnlyDictionary<string, string> sourceTexts,
        Func<string, bool> entityExists,
        List<DatasetError> errors,
        Func<string, string>? nearestEntities = null)
    {
        var before = errors.Count;
        path = Name(path, @event.Id);
        var id = RequireSlug(@event.Id, $"{path}.id", errors);

        PartialDate date = default;
        if (!TryParseDate(@event.Date, out date, out var dateError))
        {
            errors.Add(new DatasetError($"{path}.date", dateError!));
        }

        PartialDate? endDate = null;
        if (@event.EndDate is not null)
        {
            if (!TryParseDate(@event.EndDate, out var end, out var endError))
            {
                errors.Add(new DatasetError($"{path}.endDate", endError!));
            }
            else if (dateError is null && end.LastDay < date.FirstDay)
            {
                errors.Add(new DatasetError($"{path}.endDate", $"'{@event.EndDate}' is before the date '{@event.Date}'"));
            }
            else
            {
                endDate = end;
            }
        }

        var title = RequireText(@event.Title, $"{path}.title", MaxTitleLength, errors);
        var summary = RequireText(@event.Summary, $"{path}.summary", MaxSummaryLength, errors);
        if (!Vocabularies.IsCategory(@event.Category))
        {
            errors.Add(new DatasetError($"{path}.category", $"'{@event.Category}' is not a category (one of {Vocabularies.List(Vocabularies.Categories)})"));
        }

        var tags = StringList(@event.Tags, $"{path}.tags", MaxTagLength, errors);
        for (var i = 0; i < tags.Count; i++)
        {
            if (!IsSlug(tags[i]))
            {
                errors.Add(new DatasetError($"{path}.tags[{i}]", $"'{tags[i]}' is not a tag: lowercase letters and digits in hyphen-separated words"));
            }
        }

        if (tags.Distinct(StringComparer.Ordinal).Count() != tags.Count)
        {
            errors.Add(new DatasetError($"{path}.tags", "a tag is listed twice"));
        }

        var caveats = StringList(@event.Caveats, $"{path}.caveats", MaxCaveatLength, errors);

        var links = new List<ValidEntityLink>();
        var linkList = @event.Entities ?? [];
        if (linkList.Count > MaxListLength)
        {
            errors.Add(new DatasetError($"{path}.entities", $"more than {MaxListLength} entities"));
        }

        for (var i = 0; i < linkList.Count; i++)
        {
            var link = linkList[i];
            var linkPath = $"{path}.entities[{i}]";
            if (link is null)
            {
                errors.Add(new DatasetError(linkPath, "an entity link is null"));
                continue;
            }

            if (string.IsNullOrEmpty(link.Id) || !entityExists(link.Id))
            {
                errors.Add(new DatasetError($"{linkPath}.id", $"unknown entity '{link.Id}'{(string.IsNullOrEmpty(link.Id) ? string.Empty : nearestEntities?.Invoke(link.Id))}"));
            }

            if (!Vocabularies.IsRole(link.Role))
            {
                errors.Add(new DatasetError($"{linkPath}.role", $"'{link.Role}' is not a role{DidYouMean(Vocabularies.Roles, link.Role)} (one of {Vocabularies.List(Vocabularies.Roles)}; GET /roles describes them)"));
            }

            if (links.Any(l => l.EntityId == link.Id && l.Role == link.Role))
            {
                errors.Add(new DatasetError(linkPath, $"entity '{link.Id}' is linked twice as '{link.Role}'"));
            }

            links.Add(new ValidEntityLink(link.Id ?? string.Empty, link.Role ?? string.Empty));
        }

        var citations = new List<ValidCitation>();
        var citationList = @event.Citations ?? [];
        if (citationList.Count == 0)
        {
            errors.Add(new DatasetError($"{path}.citations", "an event needs at least one citation: a verbatim quote from a source"));
        }
        else if (citationList.Count > MaxListLength)
        {
            errors.Add(new DatasetError($"{path}.citations", $"more than {MaxListLength} citations"));
        }

        for (var i = 0; i < citationList.Count; i++)
        {
            var citation = citationList[i];
            var citationPath = $"{path}.citations[{i}]";
            if (citation is null)
            {
                errors.Add(new DatasetError(citationPath, "a citation is null"));
                continue;
            }

            if (string.IsNullOrEmpty(citation.Source) || !sourceTexts.TryGetValue(citation.Source, out var text))
            {
                errors.Add(new DatasetError($"{citationPath}.source", $"unknown source '{citation.Source}'"));
                continue;
            }

            if (string.IsNullOrWhiteSpace(citation.Quote))
            {
                errors.Add(new DatasetError($"{citationPath}.quote", "the quote is empty"));
                continue;
            }

            if (citation.Quote.Length > MaxQuoteLength)
            {
                errors.Add(new DatasetError($"{citationPath}.quote", $"the quote is longer than {MaxQuoteLength} characters"));
                continue;
            }

            var occurrences = QuoteLocator.Occurrences(text, citation.Quote);
            if (occurrences.Count == 0)
            {
                errors.Add(new DatasetError($"{citationPath}.quote", QuoteLocator.NotFound(text, citation.Quote, citation.Source)));
                continue;
            }

            int index;
            if (citation.Occurrence is { } occurrence)
            {
                if (occurrence < 1 || occurrence > occurrences.Count)
                {
                    errors.Add(new DatasetError(
                        $"{citationPath}.occurrence",
                        occurrences.Count == 1
                            ? $"is {occurrence}, but the quote occurs once in source '{citation.Source}' (leave occurrence out, or give 1)"
                            : $"is {occurrence}, but it must be a number from 1 to {occurrences.Count}: {QuoteLocator.Ambiguous(text, citation.Quote, citation.Source, occurrences)}"));
                    continue;
                }

                index = occurrences[occurrence - 1];
            }
            else if (occurrences.Count > 1)
            {
                errors.Add(new DatasetError($"{citationPath}.quote", QuoteLocator.Ambiguous(text, citation.Quote, citation.Source, occurrences)));
                continue;
            }
            else
            {
                index = occurrences[0];
            }

            var start = CodePoints(text.AsSpan(0, index));
            citations.Add(new ValidCitation(citation.Source, citation.Quote, start, start + CodePoints(citation.Quote)) { Occurrence = citation.Occurrence });
        }

        var references = References(@event.References, $"{path}.references", errors);
        var formerIds = FormerIds(@event.FormerIds, id, $"{path}.formerIds", errors);
        var (related, supersedes) = EventLinks(@event, id, path, errors);

        return errors.Count > before
            ? null
            : new ValidEvent(id!, date, endDate, title!, summary!, @event.Category!, tags, caveats, links, citations) { References = references, FormerIds = formerIds, Related = related, Supersedes = supersedes };
    }

    /// <summary>Checks an event's references: title, publisher, date and what it supports required; URL, citation and document number in their formats.</summary>
    private static List<ValidReference> References(List<ReferenceDocument>? list, string path, List<DatasetError> errors)
    {
        var references = new List<ValidReference>();
        if (list is null)
        {
            return references;
        }

        if (list.Count > MaxReferences)
        {
            errors.Add(new DatasetError(path, $"has more than {MaxReferences} references"));
        }

        for (var i = 0; i < list.Count; i++)
        {
            var reference = list[i];
            var at = $"{path}[{i}]";
            if (reference is null)
            {
                errors.Add(new DatasetError(at, "a reference is null"));
                continue;
            }

            var before = errors.Count;
            var title = RequireText(reference.Title, $"{at}.title", MaxTitleLength, errors);
            var publisher = RequireText(reference.Publisher, $"{at}.publisher", MaxNameLength, errors);
            PartialDate date = default;
            if (reference.Date is null)
            {
                errors.Add(new DatasetError($"{at}.date", "is required: the document's date at the precision known (YYYY, YYYY-MM or YYYY-MM-DD)"));
            }
            else if (!TryParseDate(reference.Date, out date, out var dateError))
            {
                errors.Add(new DatasetError($"{at}.date", dateError!));
            }

            if (reference.Url is not null
                && (!Uri.TryCreate(reference.Url, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps || reference.Url.Any(char.IsWhiteSpace)))
            {
                errors.Add(new DatasetError($"{at}.url", $"'{Shorten(reference.Url)}' is not an absolute https URL (as https://www.federalregister.gov/d/2020-28031)"));
            }

            CheckCitation(reference.Citation, $"{at}.citation", errors);
            CheckDocumentNumber(reference.DocumentNumber, $"{at}.documentNumber", errors);
            var supports = RequireText(reference.Supports, $"{at}.supports", MaxCaveatLength, errors);
            if (errors.Count == before)
            {
                references.Add(new ValidReference(title!, publisher!, date, reference.Url, reference.Citation, reference.DocumentNumber, supports!));
            }
        }

        return references;
    }

    private static void CheckCitation(string? citation, string path, List<DatasetError> errors)
    {
        if (citation is not null && !IsFederalRegisterCitation(citation))
        {
            errors.Add(new DatasetError(path, $"'{Shorten(citation)}' is not a Federal Register citation: volume, FR and page separated by single spaces, as in \"85 FR 83416\""));
        }
    }

    private static void CheckDocumentNumber(string? number, string path, List<DatasetError> errors)
    {
        if (number is not null && !IsDocumentNumber(number))
        {
            errors.Add(new DatasetError(path, $"'{Shorten(number)}' is not a Federal Register document number: four digits, a hyphen and five digits, as in \"2020-28031\""));
        }
    }

    /// <summary>Checks a record's former ids: ids, not its own id, none twice.</summary>
    private static List<string> FormerIds(List<string>? list, string? ownId, string path, List<DatasetError> errors)
    {
        if (list is null)
        {
            return [];
        }

        if (list.Count > MaxListLength)
        {
            errors.Add(new DatasetError(path, $"has more than {MaxListLength} items"));
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < list.Count; i++)
        {
            var former = list[i];
            if (!IsSlug(former))
            {
                errors.Add(new DatasetError($"{path}[{i}]", $"'{Shorten(former ?? "null")}' is not an id: lowercase letters and digits in hyphen-separated words, at most {MaxIdLength} characters"));
            }
            else if (former == ownId)
            {
                errors.Add(new DatasetError($"{path}[{i}]", $"'{former}' is the record's own id; a former id is one it no longer has"));
            }
            else if (!seen.Add(former))
            {
                errors.Add(new DatasetError($"{path}[{i}]", $"'{former}' is listed twice"));
            }
        }

        return list;
    }

    /// <summary>Within one kind of record: a former id is no record's current id, and no two records claim the same one.</summary>
    private static void CheckFormerIds(string kind, IEnumerable<(string Id, IReadOnlyList<string> FormerIds)> records, List<DatasetError> errors)
    {
        var list = records.ToList();
        var current = list.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        var claimed = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (id, formerIds) in list)
        {
            for (var i = 0; i < formerIds.Count; i++)
            {
                var former = formerIds[i];
                if (current.Contains(former))
                {
                    errors.Add(new DatasetError($"{kind} '{id}'.formerIds[{i}]", $"'{former}' is the current id of another record; a former id may not be any record's current id"));
                }
                else if (!claimed.TryAdd(former, id))
                {
                    errors.Add(new DatasetError($"{kind} '{id}'.formerIds[{i}]", $"'{former}' is also a former id of '{claimed[former]}'; a former id leads to one record"));
                }
            }
        }
    }

    /// <summary>A dictionary of source texts that falls back to the store for ids the dataset does not hold.</summary>
    private sealed class LayeredTexts(Dictionary<string, string> own, Func<string, string?> stored) : IReadOnlyDictionary<string, string>
    {
        public string this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException(key);

        public IEnumerable<string> Keys => own.Keys;

        public IEnumerable<string> Values => own.Values;

        public int Count => own.Count;

        public bool ContainsKey(string key) => TryGetValue(key, out _);

        public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out string value)
        {
            if (own.TryGetValue(key, out value))
            {
                return true;
            }

            value = stored(key);
            return value is not null;
        }

        public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => own.GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    public static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>Counts Unicode code points (a surrogate pair is one).</summary>
    public static int CodePoints(ReadOnlySpan<char> text)
    {
        // Most texts have no surrogate pairs: then code points are UTF-16 units (a vectorised check).
        if (text.IndexOfAnyInRange('\uD800', '\uDFFF') < 0)
        {
            return text.Length;
        }

        var count = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (!(char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])))
            {
                count++;
            }
        }

        return count;
    }

    private static void ForEach<T>(List<T>? items, string name, List<DatasetError> errors, Action<T, string> check)
        where T : class
    {
        if (items is null)
        {
            errors.Add(new DatasetError(name, $"the dataset has no '{name}' list"));
            return;
        }

        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] is null)
            {
                errors.Add(new DatasetError($"{name}[{i}]", "the record is null"));
                continue;
            }

            check(items[i], $"{name}[{i}]");
        }
    }

    private static string Name(string path, string? id) =>
        string.IsNullOrEmpty(id) ? path : string.Create(CultureInfo.InvariantCulture, $"{path} '{Shorten(id)}'");

    private static string? RequireSlug(string? value, string path, List<DatasetError> errors)
    {
        if (string.IsNullOrEmpty(value))
        {
            errors.Add(new DatasetError(path, "the id is required"));
            return null;
        }

        if (!IsSlug(value))
        {
            errors.Add(new DatasetError(path, $"'{Shorten(value)}' is not an id: lowercase letters and digits in hyphen-separated words, at most {MaxIdLength} characters"));
            return null;
        }

        return value;
    }

    private static string? RequireText(string? value, string path, int maxLength, List<DatasetError> errors)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add(new DatasetError(path, "is required"));
            return null;
        }

        return OptionalText(value, path, maxLength, errors);
    }

    private static string? OptionalText(string? value, string path, int maxLength, List<DatasetError> errors)
    {
        if (value is null)
        {
            return null;
        }

        if (value.Length > maxLength)
        {
            errors.Add(new DatasetError(path, $"is longer than {maxLength} characters"));
        }
        else if (value.Any(c => char.IsControl(c) && c is not '\n' and not '\t' and not '\r'))
        {
            errors.Add(new DatasetError(path, "contains control characters"));
        }

        return value;
    }

    private static List<string> StringList(List<string>? values, string path, int maxLength, List<DatasetError> errors)
    {
        if (values is null)
        {
            return [];
        }

        if (values.Count > MaxListLength)
        {
            errors.Add(new DatasetError(path, $"has more than {MaxListLength} items"));
        }

        for (var i = 0; i < values.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(values[i]))
            {
                errors.Add(new DatasetError($"{path}[{i}]", "is empty"));
            }
            else
            {
                OptionalText(values[i], $"{path}[{i}]", maxLength, errors);
            }
        }

        return values;
    }

    private static string Shorten(string text) => text.Length <= 80 ? text : string.Concat(text.AsSpan(0, 80), "…");
}
