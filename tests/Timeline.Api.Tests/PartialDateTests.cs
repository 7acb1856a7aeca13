using Timeline.Model.Dates;

namespace Timeline.Api.Tests;

public class PartialDateTests
{
    [Theory]
    [InlineData("2020", DatePrecision.Year, "2020-01-01", "2020-12-31")]
    [InlineData("2020-12", DatePrecision.Month, "2020-12-01", "2020-12-31")]
    [InlineData("2024-02", DatePrecision.Month, "2024-02-01", "2024-02-29")]
    [InlineData("2023-02", DatePrecision.Month, "2023-02-01", "2023-02-28")]
    [InlineData("2020-12-18", DatePrecision.Day, "2020-12-18", "2020-12-18")]
    [InlineData("2024-02-29", DatePrecision.Day, "2024-02-29", "2024-02-29")]
    public void A_valid_date_parses_to_its_precision_and_interval(string text, DatePrecision precision, string first, string last)
    {
        Assert.True(PartialDate.TryParse(text, out var date, out var error), error);

        Assert.Equal(precision, date.Precision);
        Assert.Equal(first, PartialDate.FormatDay(date.FirstDay));
        Assert.Equal(last, PartialDate.FormatDay(date.LastDay));
    }

    [Theory]
    [InlineData("2020")]
    [InlineData("2020-12")]
    [InlineData("2020-12-18")]
    [InlineData("1999-01-01")]
    public void Formatting_gives_back_exactly_the_text_parsed(string text)
    {
        Assert.Equal(text, PartialDate.Parse(text).ToString());
    }

    [Theory]
    [InlineData("2023-02-30", "has no day 30")]
    [InlineData("2023-02-29", "has no day 29")]
    [InlineData("2020-13", "no month 13")]
    [InlineData("2020-00", "no month 00")]
    [InlineData("2020-12-00", "has no day 00")]
    [InlineData("2020-12-32", "has no day 32")]
    [InlineData("0999", "year outside")]
    [InlineData("20201", "not a date of the form")]
    [InlineData("2020-1-01", "not a date of the form")]
    [InlineData("2020/12/18", "not a date of the form")]
    [InlineData("18-12-2020", "not a date of the form")]
    [InlineData("2020-12-18T00:00", "not a date of the form")]
    [InlineData(" 2020", "not a date of the form")]
    [InlineData("２０２０", "not a date of the form")]
    [InlineData("", "required")]
    public void An_impossible_or_malformed_date_is_refused_with_the_reason(string text, string reason)
    {
        Assert.False(PartialDate.TryParse(text, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }
}
