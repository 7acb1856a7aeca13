using System.Globalization;
using System.ServiceModel.Syndication;
using System.Text;
using System.Xml;
using Timeline.Api.Events;

namespace Timeline.Api.Exports;

/// <summary>An Atom 1.0 feed (RFC 4287) of the most recently changed events.</summary>
public static class AtomExport
{
    public const string ContentType = "application/atom+xml; charset=utf-8";
    public const int EntryCount = 50;
    
    public static async Task WriteAsync(IReadOnlyList<ExportEvent> events, string baseUrl, string selfUrl, string storeUpdatedAt, Stream body, CancellationToken cancellationToken)
    {
        var feed = new SyndicationFeed(
            "Semiconductor sanctions timeline",
            "The most recently added or changed events, each cited verbatim from its source.",
            new Uri($"{baseUrl}/events"),
            selfUrl,
            Time(events.Count > 0 ? events.Max(e => e.UpdatedAt)! : storeUpdatedAt))
        {
            Generator = "Timeline API",
            Items = events.Select(item => Entry(item, baseUrl)),
        };
        feed.Links[0].MediaType = "application/json";
        feed.Links.Add(new SyndicationLink(new Uri(selfUrl), "self", null, "application/atom+xml", 0));
        feed.Authors.Add(new SyndicationPerson { Name = "Timeline" });

        // The formatter writes synchronously, which the response body refuses: the feed (at most EntryCount entries, so
        // bounded whatever the store holds) is written to memory first, then copied to the client asynchronously.
        using var buffer = new MemoryStream();
        var settings = new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = true };
        using (var writer = XmlWriter.Create(buffer, settings))
        {
            new Atom10FeedFormatter(feed).WriteTo(new CleanXmlWriter(writer));
        }

        buffer.Position = 0;
        await buffer.CopyToAsync(body, cancellationToken);
        await body.FlushAsync(cancellationToken);
    }

    private static SyndicationItem Entry(ExportEvent item, string baseUrl)
    {
        var e = item.Event;
        var url = $"{baseUrl}/events/{e.Id}";
        var entry = new SyndicationItem($"{e.Date}: {e.Title}", (SyndicationContent?)null, new Uri(url), url, Time(item.UpdatedAt))
        {
            PublishDate = Time(item.CreatedAt),
            Summary = new TextSyndicationContent(Summary(item)),
        };
        entry.Links[0].MediaType = "application/json";
        entry.Categories.Add(new SyndicationCategory(e.Category));
        return entry;
    }

    private static string Summary(ExportEvent item)
    {
        var text = new StringBuilder(item.Event.Summary);
        foreach (var citation in item.Citations)
        {
            text.Append(" — “").Append(citation.Quote).Append("” (").Append(citation.SourceTitle).Append(')');
        }

        foreach (var caveat in item.Event.Caveats)
        {
            text.Append(" Caveat: ").Append(caveat);
        }

        return text.ToString();
    }

    private static DateTimeOffset Time(string isoUtc) =>
        DateTimeOffset.Parse(isoUtc, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    /// <summary>Drops the few characters XML 1.0 cannot carry at all (control characters other than tab and line breaks).</summary>
    internal static string XmlText(string value)
    {
        if (value.All(XmlConvert.IsXmlChar))
        {
            return value;
        }

        var kept = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (XmlConvert.IsXmlChar(value[i]))
            {
                kept.Append(value[i]);
            }
            else if (i + 1 < value.Length && XmlConvert.IsXmlSurrogatePair(value[i + 1], value[i]))
            {
                kept.Append(value[i]).Append(value[i + 1]);
                i++;
            }
        }

        return kept.ToString();
    }
}

/// <summary>
/// Passes every text the formatter writes through <see cref="AtomExport.XmlText"/>: XML 1.0 cannot carry a control
/// character other than tab and line breaks, which a source's text may hold; everything else is the inner writer's.
/// </summary>
internal sealed class CleanXmlWriter(XmlWriter inner) : XmlWriter
{
    public override WriteState WriteState => inner.WriteState;

    public override void WriteString(string? text) => inner.WriteString(text is null ? null : AtomExport.XmlText(text));

    public override void Flush() => inner.Flush();

    public override string? LookupPrefix(string ns) => inner.LookupPrefix(ns);

    public override void WriteBase64(byte[] buffer, int index, int count) => inner.WriteBase64(buffer, index, count);

    public override void WriteCData(string? text) => inner.WriteCData(text);

    public override void WriteCharEntity(char ch) => inner.WriteCharEntity(ch);

    public override void WriteChars(char[] buffer, int index, int count) => WriteString(new string(buffer, index, count));

    public override void WriteComment(string? text) => inner.WriteComment(text);

    public override void WriteDocType(string name, string? pubid, string? sysid, string? subset) => inner.WriteDocType(name, pubid, sysid, subset);

    public override void WriteEndAttribute() => inner.WriteEndAttribute();

    public override void WriteEndDocument() => inner.WriteEndDocument();

    public override void WriteEndElement() => inner.WriteEndElement();

    public override void WriteEntityRef(string name) => inner.WriteEntityRef(name);

    public override void WriteFullEndElement() => inner.WriteFullEndElement();

    public override void WriteProcessingInstruction(string name, string? text) => inner.WriteProcessingInstruction(name, text);

    public override void WriteRaw(char[] buffer, int index, int count) => inner.WriteRaw(buffer, index, count);

    public override void WriteRaw(string data) => inner.WriteRaw(data);

    public override void WriteStartAttribute(string? prefix, string localName, string? ns) => inner.WriteStartAttribute(prefix, localName, ns);

    public override void WriteStartDocument() => inner.WriteStartDocument();

    public override void WriteStartDocument(bool standalone) => inner.WriteStartDocument(standalone);

    public override void WriteStartElement(string? prefix, string localName, string? ns) => inner.WriteStartElement(prefix, localName, ns);

    public override void WriteSurrogateCharEntity(char lowChar, char highChar) => inner.WriteSurrogateCharEntity(lowChar, highChar);

    public override void WriteWhitespace(string? ws) => inner.WriteWhitespace(ws);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
