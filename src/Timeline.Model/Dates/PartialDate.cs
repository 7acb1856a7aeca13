using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Timeline.Model.Dates;

/// <summary>How much of a date its source states.</summary>
public enum DatePrecision
{
    Year = 0,
    Month = 1,
    Day = 2,
}

/// <summary>
/// A calendar date known to a year, a month or a day, written as ISO 8601 text at exactly that
/// precision ("2020", "2020-12", "2020-12-18"). It covers an interval of days: a year-precision date
/// covers the whole year, a month-precision date the whole month.
/// </summary>
public readonly record struct PartialDate
{
    public const int MinYear = 1000;
    public const int MaxYear = 9999;

    private PartialDate(int year, int month, int day, DatePrecision precision)
    {
        Year = year;
        Month = month;
        Day = day;
        Precision = precision;
    }

    public int Year { get; }

    /// <summary>The month, or 0 when the precision is a year.</summary>
    public int Month { get; }

    /// <summary>The day, or 0 when the precision is a year or a month.</summary>
    public int Day { get; }

    public DatePrecision Precision { get; }

    /// <summary>The first day the date covers.</summary>
    public DateOnly FirstDay => new(Year, Math.Max(Month, 1), Math.Max(Day, 1));

    /// <summary>The last day the date covers.</summary>
    public DateOnly LastDay => Precision switch
    {
        DatePrecision.Year => new DateOnly(Year, 12, 31),
        DatePrecision.Month => new DateOnly(Year, Month, DateTime.DaysInMonth(Year, Month)),
        _ => new DateOnly(Year, Month, Day),
    };

    /// <summary>Parses YYYY, YYYY-MM or YYYY-MM-DD strictly: real calendar dates only, no other forms.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out PartialDate date, out string? error)
    {
        date = default;
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "a date is required (YYYY, YYYY-MM or YYYY-MM-DD)";
            return false;
        }

        var shapeOk = text.Length is 4 or 7 or 10
            && AllDigits(text, 0, 4)
            && (text.Length == 4 || (text[4] == '-' && AllDigits(text, 5, 2)))
            && (text.Length <= 7 || (text[7] == '-' && AllDigits(text, 8, 2)));
        if (!shapeOk)
        {
            error = $"'{Shorten(text)}' is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD";
            return false;
        }

        var year = int.Parse(text.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture);
        if (year is < MinYear or > MaxYear)
        {
            error = $"'{text}' has a year outside {MinYear}-{MaxYear}";
            return false;
        }

        if (text.Length == 4)
        {
            date = new PartialDate(year, 0, 0, DatePrecision.Year);
            return true;
        }

        var month = int.Parse(text.AsSpan(5, 2), NumberStyles.None, CultureInfo.InvariantCulture);
        if (month is < 1 or > 12)
        {
            error = $"'{text}' has no month {month:00}";
            return false;
        }

        if (text.Length == 7)
        {
            date = new PartialDate(year, month, 0, DatePrecision.Month);
            return true;
        }

        var day = int.Parse(text.AsSpan(8, 2), NumberStyles.None, CultureInfo.InvariantCulture);
        if (day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            error = $"'{text}' is not a calendar date: {year:0000}-{month:00} has no day {day:00}";
            return false;
        }

        date = new PartialDate(year, month, day, DatePrecision.Day);
        return true;
    }

    public static PartialDate Parse(string text) =>
        TryParse(text, out var date, out var error) ? date : throw new FormatException(error);

    public override string ToString() => Precision switch
    {
        DatePrecision.Year => Year.ToString("0000", CultureInfo.InvariantCulture),
        DatePrecision.Month => string.Create(CultureInfo.InvariantCulture, $"{Year:0000}-{Month:00}"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{Year:0000}-{Month:00}-{Day:00}"),
    };

    public static string FormatDay(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string PrecisionName(DatePrecision precision) => precision switch
    {
        DatePrecision.Year => "year",
        DatePrecision.Month => "month",
        _ => "day",
    };

    private static bool AllDigits(string text, int start, int count)
    {
        for (var i = start; i < start + count; i++)
        {
            if (!char.IsAsciiDigit(text[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : string.Concat(text.AsSpan(0, 40), "…");
}
