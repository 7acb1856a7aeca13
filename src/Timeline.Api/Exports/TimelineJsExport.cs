using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Timeline.Model.Dates;
using Timeline.Api.Events;

namespace Timeline.Api.Exports;

/// <summary>
/// The JSON that Knight Lab's TimelineJS3 loads: a title slide and one slide per event, each dated at the
/// event's precision ({year}, {year, month} or {year, month, day}), grouped by category. Slide text is
/// HTML, so everything from the data is HTML-escaped. Streamed: one slide at a time, never the whole document.
/// </summary>
public static class TimelineJsExport
{
    /// <summary>The title slide.</summary>
    public static readonly TimelineJsTitle Title = new(new TimelineJsText(
        "Semiconductor sanctions timeline",
        "Sanctions on the semiconductor industry and the industry’s response, each event cited verbatim from its source."));

    /// <summary>
    /// Writes the <see cref="TimelineJsDocument"/> to <paramref name="body"/> as the events are read: each slide is
    /// serialised on its own (with the API's JSON options, so the bytes are those of the whole document serialised at
    /// once) and handed to the body every 32 KiB, so memory stays constant however many events there are.
    /// </summary>
    public static async Task WriteAsync(
        IAsyncEnumerable<ExportEvent> events, string baseUrl, Stream body, JsonSerializerOptions options, CancellationToken cancellationToken)
    {
        await using var json = new JsonChunks(body, new JsonWriterOptions { Encoder = options.Encoder, Indented = options.WriteIndented });
        var writer = json.Writer;
        writer.WriteStartObject();
        writer.WritePropertyName("title");
        JsonSerializer.Serialize(writer, Title, options);
        writer.WritePropertyName("events");
        writer.WriteStartArray();
        await foreach (var item in events.WithCancellation(cancellationToken))
        {
            JsonSerializer.Serialize(writer, Slide(item, baseUrl), options);
            await json.MaybeFlushAsync(cancellationToken);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        await json.FlushAsync(cancellationToken);
    }

    /// <summary>One event's slide.</summary>
    public static TimelineJsSlide Slide(ExportEvent item, string baseUrl)
    {
        var e = item.Event;
        return new TimelineJsSlide(
            Date(PartialDate.Parse(e.Date)),
            e.EndDate is null ? null : Date(PartialDate.Parse(e.EndDate)),
            new TimelineJsText(WebUtility.HtmlEncode(e.Title), Text(item, baseUrl)),
            e.Category,
            e.Id,
            e.Date);
    }

    private static TimelineJsDate Date(PartialDate date) => date.Precision switch
    {
        DatePrecision.Year => new TimelineJsDate(date.Year, null, null),
        DatePrecision.Month => new TimelineJsDate(date.Year, date.Month, null),
        _ => new TimelineJsDate(date.Year, date.Month, date.Day),
    };

    private static string Text(ExportEvent item, string baseUrl)
    {
        var html = new StringBuilder("<p>").Append(WebUtility.HtmlEncode(item.Event.Summary)).Append("</p>");
        foreach (var citation in item.Citations)
        {
            html.Append("<blockquote>").Append(WebUtility.HtmlEncode(citation.Quote)).Append("</blockquote><p>— ")
                .Append(WebUtility.HtmlEncode(citation.SourceTitle)).Append("</p>");
        }

        if (item.References.Count > 0)
        {
            // References to the public record: what each is (its official citation) and what it supports, linked when it has a URL.
            html.Append("<p>References:</p><ul>");
            foreach (var reference in item.References)
            {
                html.Append("<li>");
                var title = WebUtility.HtmlEncode(reference.Title);
                if (reference.Url is not null)
                {
                    html.Append("<a href=\"").Append(WebUtility.HtmlEncode(reference.Url)).Append("\">").Append(title).Append("</a>");
                }
                else
                {
                    html.Append(title);
                }

                html.Append(" (").Append(WebUtility.HtmlEncode(reference.Publisher)).Append(", ").Append(WebUtility.HtmlEncode(reference.Date));
                if (reference.Citation is not null)
                {
                    html.Append(", ").Append(WebUtility.HtmlEncode(reference.Citation));
                }

                if (reference.DocumentNumber is not null)
                {
                    html.Append(", FR Doc. ").Append(WebUtility.HtmlEncode(reference.DocumentNumber));
                }

                html.Append("): ").Append(WebUtility.HtmlEncode(reference.Supports)).Append("</li>");
            }

            html.Append("</ul>");
        }

        if (item.Event.Caveats.Count > 0)
        {
            html.Append("<ul>");
            foreach (var caveat in item.Event.Caveats)
            {
                html.Append("<li>").Append(WebUtility.HtmlEncode(caveat)).Append("</li>");
            }

            html.Append("</ul>");
        }

        html.Append("<p><a href=\"").Append(WebUtility.HtmlEncode($"{baseUrl}/events/{item.Event.Id}")).Append("\">Source record</a></p>");
        return html.ToString();
    }
}

/// <summary>A TimelineJS3 document: a title slide and the event slides.</summary>
public sealed record TimelineJsDocument(
    [property: JsonPropertyName("title")] TimelineJsTitle Title,
    [property: JsonPropertyName("events")] IReadOnlyList<TimelineJsSlide> Events);

/// <summary>The title slide.</summary>
public sealed record TimelineJsTitle([property: JsonPropertyName("text")] TimelineJsText Text);

/// <summary>One event slide.</summary>
public sealed record TimelineJsSlide(
    [property: JsonPropertyName("start_date")] TimelineJsDate StartDate,
    [property: JsonPropertyName("end_date"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] TimelineJsDate? EndDate,
    [property: JsonPropertyName("text")] TimelineJsText Text,
    [property: JsonPropertyName("group")] string Group,
    [property: JsonPropertyName("unique_id")] string UniqueId,
    [property: JsonPropertyName("display_date")] string DisplayDate);

/// <summary>A TimelineJS date: only the parts the source gives.</summary>
public sealed record TimelineJsDate(
    [property: JsonPropertyName("year")] int Year,
    [property: JsonPropertyName("month"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Month,
    [property: JsonPropertyName("day"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Day);

/// <summary>A slide's headline and HTML text.</summary>
public sealed record TimelineJsText(
    [property: JsonPropertyName("headline")] string Headline,
    [property: JsonPropertyName("text")] string Text);
