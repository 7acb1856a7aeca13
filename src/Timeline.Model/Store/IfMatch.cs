using System.Globalization;

namespace Timeline.Model.Store;

/// <summary>
/// A write's precondition on the version of the record it changes (HTTP's If-Match, parsed): absent, any version
/// ("*"), or a list of entity tags, each naming the version it was issued for as <c>"{version}.{dataVersion}"</c>.
/// A precondition that cannot be read is a list that names no version, so it matches nothing.
/// </summary>
public sealed class IfMatch
{
    private IfMatch(bool present, bool any, IReadOnlyList<string> entityTags)
    {
        IsPresent = present;
        IsAny = any;
        EntityTags = entityTags;
    }

    /// <summary>No precondition was given.</summary>
    public static IfMatch Absent { get; } = new(false, false, []);

    /// <summary>"*": any current version matches.</summary>
    public static IfMatch Any { get; } = new(true, true, []);

    /// <summary>A list of entity tags (quoted, as sent); an empty list matches no version.</summary>
    public static IfMatch Tags(IReadOnlyList<string> entityTags) => new(true, false, entityTags);

    /// <summary>Whether a precondition was given at all.</summary>
    public bool IsPresent { get; }

    /// <summary>Whether the precondition is "*".</summary>
    public bool IsAny { get; }

    /// <summary>The entity tags given (empty for <see cref="Absent"/> and <see cref="Any"/>).</summary>
    public IReadOnlyList<string> EntityTags { get; }

    /// <summary>
    /// Null when absent; otherwise whether it names the record's current version (any tag issued for that version
    /// matches, whatever data version it was issued at; "*" matches any).
    /// </summary>
    public bool? Matches(long currentVersion)
    {
        if (!IsPresent)
        {
            return null;
        }

        return IsAny || EntityTags.Any(tag => VersionOf(tag) == currentVersion);
    }

    /// <summary>The record version an entity tag names: the part before the dot, or null when it names none.</summary>
    public static long? VersionOf(string tag)
    {
        var inner = tag.Trim('"');
        var dot = inner.IndexOf('.', StringComparison.Ordinal);
        var head = dot < 0 ? inner : inner[..dot];
        return long.TryParse(head, NumberStyles.None, CultureInfo.InvariantCulture, out var version) ? version : null;
    }
}
