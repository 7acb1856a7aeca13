using System.Globalization;
using System.Text;
using System.Text.Json;
using Timeline.Model.Vocabulary;

namespace Timeline.Model.Dataset;

/// <summary>
/// Writes a synthetic dataset in the import format, deterministic for a given size and seed, for the
/// benchmark: about 500 entities, the 8 categories, 50 tags, dates 1990-2030 at 70% day, 20% month and
/// 10% year precision, words from a vocabulary of a few thousand, the marker word "lithography" in about
/// 1% of summaries, and sources whose texts really contain each event's quote (50 events a source), so
/// the store's verbatim check runs on every citation.
/// </summary>
public static class DatasetGenerator
{
    public const string MarkerWord = "lithography";
    public const int EventsPerSource = 50;
    public const int EntityCount = 500;
    public const int TagCount = 50;

    private static readonly string[] Onsets = ["b", "c", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "ch", "st", "tr"];
    private static readonly string[] Vowels = ["a", "e", "i", "o", "u", "ai", "ea", "io"];
    private static readonly string[] Codas = ["", "n", "r", "s", "t", "l", "x"];
    private static readonly string[] Countries = ["US", "CN", "TW", "KR", "JP", "NL", "DE", "GB", "FR", "IN"];

    /// <summary>Writes the dataset to <paramref name="output"/>; returns the number of events written.</summary>
    public static int Write(int events, int seed, Stream output)
    {
        var words = Vocabulary(seed);
        var tags = Enumerable.Range(0, TagCount).Select(i => $"{words[(i * 37) % words.Length]}-{i:00}").ToArray();
        var sources = (events + EventsPerSource - 1) / EventsPerSource;

        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = false });
        json.WriteStartObject();

        json.WriteStartArray("sources");
        for (var s = 0; s < sources; s++)
        {
            var text = new StringBuilder();
            text.Append(CultureInfo.InvariantCulture, $"Report {s + 1} of the synthetic archive. ");
            for (var i = s * EventsPerSource; i < Math.Min(events, (s + 1) * EventsPerSource); i++)
            {
                text.Append(Quote(Event(i, seed, words, tags))).Append(' ');
            }

            json.WriteStartObject();
            json.WriteString("id", SourceId(s));
            json.WriteString("title", $"Synthetic report {s + 1}");
            json.WriteString("publisher", "Timeline generator");
            json.WriteNull("author");
            json.WriteString("publishedDate", (2000 + (s % 25)).ToString(CultureInfo.InvariantCulture));
            json.WriteNull("url");
            json.WriteString("text", text.ToString().TrimEnd());
            json.WriteStartArray("notes");
            json.WriteStringValue("Synthetic source made by the benchmark generator.");
            json.WriteEndArray();
            json.WriteEndObject();
            json.Flush();
        }

        json.WriteEndArray();

        json.WriteStartArray("entities");
        for (var e = 0; e < EntityCount; e++)
        {
            var kind = Vocabularies.EntityKinds[e % Vocabularies.EntityKinds.Count].Id;
            json.WriteStartObject();
            json.WriteString("id", EntityId(e));
            json.WriteString("name", $"{Capital(words[(e * 13) % words.Length])} {Capital(words[(e * 29 + 7) % words.Length])}");
            json.WriteString("kind", kind);
            json.WriteString("country", Countries[e % Countries.Length]);
            json.WriteStartArray("aliases");
            json.WriteStringValue(words[(e * 41 + 3) % words.Length].ToUpperInvariant());
            json.WriteEndArray();
            json.WriteString("description", $"A synthetic {kind}.");
            json.WriteEndObject();
        }

        json.WriteEndArray();

        json.WriteStartArray("events");
        for (var i = 0; i < events; i++)
        {
            var e = Event(i, seed, words, tags);
            json.WriteStartObject();
            json.WriteString("id", e.Id);
            json.WriteString("date", e.Date);
            if (e.EndDate is null)
            {
                json.WriteNull("endDate");
            }
            else
            {
                json.WriteString("endDate", e.EndDate);
            }

            json.WriteString("title", e.Title);
            json.WriteString("summary", e.Summary);
            json.WriteString("category", e.Category);
            json.WriteStartArray("tags");
            foreach (var tag in e.Tags)
            {
                json.WriteStringValue(tag);
            }

            json.WriteEndArray();
            json.WriteStartArray("caveats");
            if (e.Caveat is not null)
            {
                json.WriteStringValue(e.Caveat);
            }

            json.WriteEndArray();
            json.WriteStartArray("entities");
            foreach (var (entity, role) in e.Links)
            {
                json.WriteStartObject();
                json.WriteString("id", entity);
                json.WriteString("role", role);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("citations");
            json.WriteStartObject();
            json.WriteString("source", SourceId(i / EventsPerSource));
            json.WriteString("quote", Quote(e));
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
            if (i % 1000 == 0)
            {
                json.Flush();
            }
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.Flush();
        return events;
    }

    private sealed record GeneratedEvent(
        string Id, string Date, string? EndDate, string Title, string Summary, string Category,
        string[] Tags, string? Caveat, (string Entity, string Role)[] Links, string Sentence);

    /// <summary>Event i, the same every time for the same seed (each event has its own random stream).</summary>
    private static GeneratedEvent Event(int i, int seed, string[] words, string[] tags)
    {
        var random = new Random(unchecked((seed * 1_000_003) + i));
        string Words(int count) => string.Join(' ', Enumerable.Range(0, count).Select(_ => words[random.Next(words.Length)]));

        var year = 1990 + random.Next(41);
        var roll = random.Next(100);
        var month = 1 + random.Next(12);
        var date = roll < 70
            ? string.Create(CultureInfo.InvariantCulture, $"{year:0000}-{month:00}-{1 + random.Next(DateTime.DaysInMonth(year, month)):00}")
            : roll < 90 ? string.Create(CultureInfo.InvariantCulture, $"{year:0000}-{month:00}") : year.ToString("0000", CultureInfo.InvariantCulture);
        string? end = random.Next(100) < 3 ? Math.Min(2030, year + 1 + random.Next(3)).ToString("0000", CultureInfo.InvariantCulture) : null;
        if (end is not null && string.CompareOrdinal(end, date[..4]) <= 0)
        {
            end = null;
        }

        var summary = Capital(Words(12 + random.Next(14))) + ".";
        if (random.Next(100) == 0)
        {
            var cut = summary.IndexOf(' ', StringComparison.Ordinal);
            summary = summary[..cut] + " " + MarkerWord + summary[cut..];
        }

        var tagCount = 1 + random.Next(3);
        var links = Enumerable.Range(0, 1 + random.Next(3))
            .Select(_ => (EntityId(random.Next(EntityCount)), Vocabularies.Roles[random.Next(Vocabularies.Roles.Count)].Id))
            .DistinctBy(l => l.Item1)
            .ToArray();
        return new GeneratedEvent(
            string.Create(CultureInfo.InvariantCulture, $"ev-{i:0000000}"),
            date,
            end,
            Capital(Words(4 + random.Next(5))),
            summary,
            Vocabularies.Categories[random.Next(Vocabularies.Categories.Count)].Id,
            Enumerable.Range(0, tagCount).Select(_ => tags[random.Next(tags.Length)]).Distinct().Order(StringComparer.Ordinal).ToArray(),
            random.Next(10) == 0 ? "The synthetic source gives this date only approximately." : null,
            links,
            Capital(Words(8 + random.Next(6))) + string.Create(CultureInfo.InvariantCulture, $" (item {i})."));
    }

    private static string Quote(GeneratedEvent e) => e.Sentence;

    private static string SourceId(int s) => string.Create(CultureInfo.InvariantCulture, $"report-{s + 1:000000}");

    private static string EntityId(int e) => string.Create(CultureInfo.InvariantCulture, $"entity-{e + 1:000}");

    private static string Capital(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    /// <summary>A few thousand pronounceable words, the same for the same seed.</summary>
    private static string[] Vocabulary(int seed)
    {
        var random = new Random(seed);
        var words = new HashSet<string>(StringComparer.Ordinal);
        while (words.Count < 3000)
        {
            var syllables = 1 + random.Next(3);
            var word = new StringBuilder();
            for (var s = 0; s < syllables; s++)
            {
                word.Append(Onsets[random.Next(Onsets.Length)]).Append(Vowels[random.Next(Vowels.Length)]);
            }

            word.Append(Codas[random.Next(Codas.Length)]);
            if (word.ToString() != MarkerWord)
            {
                words.Add(word.ToString());
            }
        }

        return [.. words.Order(StringComparer.Ordinal)];
    }
}
