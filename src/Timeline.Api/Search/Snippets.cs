using System.Net;

namespace Timeline.Api.Search;

/// <summary>
/// Snippets come out of FTS5 with private marker characters around the matched words; they are turned
/// into HTML here, escaping the text itself so that a snippet is always safe to insert into a page.
/// </summary>
public static class Snippets
{
    public const string Open = "\u0002";
    public const string Close = "\u0003";

    public static string ToHtml(string raw) =>
        WebUtility.HtmlEncode(raw).Replace(Open, "<mark>", StringComparison.Ordinal).Replace(Close, "</mark>", StringComparison.Ordinal);
}
