using System.Globalization;
using System.Text;
using Ical.Net;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Serialization;
using Timeline.Model.Dates;
using Timeline.Api.Events;

namespace Timeline.Api.Exports;

/// <summary>
/// iCalendar (RFC 5545): one all-day VEVENT per event, spanning every day the event covers (a month-precision
/// event spans its month), with a stable UID, text escaped and lines folded at 75 octets.
/// </summary>
public static class ICalendarExport
{
    public const string ContentType = "text/calendar; charset=utf-8";

    /// <summary>
    /// The calendar's own lines before the first VEVENT and after the last, as Ical.Net writes a calendar without events
    /// (written once: the events between them are serialised one by one as they stream from the store).
    /// </summary>
    private static readonly (string Head, string Tail) Frame = CalendarFrame();

    public static async Task WriteAsync(IAsyncEnumerable<ExportEvent> events, string baseUrl, Stream body, CancellationToken cancellationToken)
    {
        await using var writer = new StreamWriter(body, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 16 * 1024, leaveOpen: true);
        await writer.WriteAsync(Frame.Head);
        var serializer = new EventSerializer(new SerializationContext());
        var count = 0;
        await foreach (var item in events.WithCancellation(cancellationToken))
        {
            await writer.WriteAsync(serializer.SerializeToString(Event(item, baseUrl)));
            if (++count % 200 == 0)
            {
                await writer.FlushAsync(cancellationToken);
            }
        }

        await writer.WriteAsync(Frame.Tail);
        await writer.FlushAsync(cancellationToken);
    }

    /// <summary>One event as an Ical.Net VEVENT: an all-day event over every day the event covers.</summary>
    private static CalendarEvent Event(ExportEvent item, string baseUrl)
    {
        var e = item.Event;
        var start = PartialDate.Parse(e.Date);
        var end = e.EndDate is null ? start : PartialDate.Parse(e.EndDate);
        var url = $"{baseUrl}/events/{e.Id}";
        var calendarEvent = new CalendarEvent
        {
            Uid = $"{e.Id}@timeline",
            DtStamp = Stamp(item.UpdatedAt),
            Created = Stamp(item.CreatedAt),
            LastModified = Stamp(item.UpdatedAt),
            // RFC 5545 3.8.7.4: 0 for the first version, one more for every change, so a calendar replaces an event it holds.
            Sequence = (int)Math.Max(0, item.Version - 1),
            DtStart = new CalDateTime(start.FirstDay),
            Transparency = TransparencyType.Transparent,
            Summary = WithoutControls(e.Title),
            Description = WithoutControls(Description(item, url)),
            Categories = [WithoutControls(e.Category)],
            Url = new Uri(url),
        };

        SetEnd(calendarEvent, start.FirstDay, end.LastDay);
        return calendarEvent;
    }

    /// <summary>
    /// DTEND of an all-day event is exclusive: the day after the last day covered. The dataset's years (1900-2199) always
    /// have one; an event stored before they were enforced may end on the last day a DateOnly holds, whose span is then
    /// given as a DURATION in days (RFC 5545 allows either), so the calendar is never cut short.
    /// </summary>
    internal static void SetEnd(CalendarEvent calendarEvent, DateOnly firstDay, DateOnly lastDay)
    {
        if (lastDay < DateOnly.MaxValue)
        {
            calendarEvent.DtEnd = new CalDateTime(lastDay.AddDays(1));
        }
        else
        {
            calendarEvent.Duration = Ical.Net.DataTypes.Duration.FromDays(lastDay.DayNumber - firstDay.DayNumber + 1);
        }
    }

    private static (string Head, string Tail) CalendarFrame()
    {
        var calendar = new Ical.Net.Calendar
        {
            ProductId = "-//Timeline//Semiconductor sanctions timeline//EN",
            Version = "2.0",
            Scale = "GREGORIAN",
            Method = "PUBLISH",
        };
        calendar.AddProperty("X-WR-CALNAME", "Semiconductor sanctions timeline");
        var text = new CalendarSerializer().SerializeToString(calendar)!;
        var tail = text.IndexOf("END:VCALENDAR", StringComparison.Ordinal);
        return (text[..tail], text[tail..]);
    }

    private static CalDateTime Stamp(string isoUtc) =>
        new(DateTime.SpecifyKind(
            DateTimeOffset.Parse(isoUtc, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal).UtcDateTime,
            DateTimeKind.Utc));

    /// <summary>
    /// RFC 5545 allows no control character in a text value but the tab; any other (a stray U+0002 kept verbatim in a
    /// source, say) is shown as U+FFFD, the mark of a character that cannot be shown, so calendars can read the file.
    /// Line breaks are kept: Ical.Net writes them escaped (\n).
    /// </summary>
    private static readonly System.Buffers.SearchValues<char> Controls = System.Buffers.SearchValues.Create(
        "\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u000B\u000C\u000E\u000F\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F\u007F");

    private static string WithoutControls(string text) =>
        !text.AsSpan().ContainsAny(Controls)
            ? text
            : string.Create(text.Length, text, (span, source) =>
            {
                for (var i = 0; i < source.Length; i++)
                {
                    var c = source[i];
                    span[i] = c is not ('\t' or '\r' or '\n') && (c < ' ' || c == '\u007F') ? '\uFFFD' : c;
                }
            });

    private static string Description(ExportEvent item, string url)
    {
        var e = item.Event;
        var text = new StringBuilder(e.Summary);
        text.Append("\n\nDate as the source gives it: ").Append(e.Date).Append(" (").Append(e.DatePrecision).Append(" precision)");
        if (e.EndDate is not null)
        {
            text.Append(" to ").Append(e.EndDate);
        }

        foreach (var caveat in e.Caveats)
        {
            text.Append("\nCaveat: ").Append(caveat);
        }

        foreach (var citation in item.Citations)
        {
            text.Append("\n\n“").Append(citation.Quote).Append("” (").Append(citation.SourceTitle).Append(')');
        }

        foreach (var reference in item.References)
        {
            text.Append("\n\nReference: ").Append(reference);
        }

        text.Append("\n\n").Append(url);
        return text.ToString();
    }
}
