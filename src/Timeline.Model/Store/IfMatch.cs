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

    /// <summary>
    /// Why a present precondition that does not match the record's current version failed: "changed since" when one of
    /// its tags is a well-formed tag of an older version of the record (the record was changed after it was read), else
    /// "not an ETag of this record": a tag that is not of the form <c>"{version}.{dataVersion}"</c>, that names a version
    /// the record has never had (above its current one, or 0), or that was issued at a data version the store has not
    /// reached (made up, or from another store). A tag carries no record id, so another record's tag that happens to name
    /// an older version of this one at a data version the store has passed reads as "changed since".
    /// </summary>
    public PreconditionMismatch Mismatch(long currentVersion, long currentDataVersion)
    {
        if (IsAny || !IsPresent)
        {
            throw new InvalidOperationException("An absent or \"*\" precondition cannot fail on a live record.");
        }

        string? why = null;
        foreach (var tag in EntityTags)
        {
            var inner = tag.Length >= 2 && tag[0] == '"' && tag[^1] == '"' ? tag[1..^1] : null;
            var dot = inner?.IndexOf('.', StringComparison.Ordinal) ?? -1;
            if (inner is null || dot < 0
                || !long.TryParse(inner.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var version)
                || !long.TryParse(inner.AsSpan(dot + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var dataVersion))
            {
                why ??= $"{Shorten(tag)} is not an ETag of a record: they read \"version.dataVersion\", as \"3.1207\"";
            }
            else if (version < 1 || version > currentVersion)
            {
                why ??= $"{tag} names version {version}, which this record has never had (it is at version {currentVersion})";
            }
            else if (dataVersion > currentDataVersion)
            {
                why ??= $"{tag} names data version {dataVersion}, which this store has not reached (it is at {currentDataVersion}): it was not issued here";
            }
            else if (version < currentVersion)
            {
                return new PreconditionMismatch(PreconditionMismatchKind.ChangedSince, version, $"{tag} names version {version}; the record has been changed since and is at version {currentVersion}");
            }
        }

        return new PreconditionMismatch(PreconditionMismatchKind.NotThisRecord, null, why ?? (EntityTags.Count == 0 ? "the If-Match header cannot be read as a list of entity tags (each in double quotes, separated by commas)" : "no tag names this record's current version"));
    }

    private static string Shorten(string tag) => tag.Length <= 40 ? $"'{tag}'" : $"'{tag[..40]}…'";

    /// <summary>The record version an entity tag names: the part before the dot, or null when it names none.</summary>
    public static long? VersionOf(string tag)
    {
        var inner = tag.Trim('"');
        var dot = inner.IndexOf('.', StringComparison.Ordinal);
        var head = dot < 0 ? inner : inner[..dot];
        return long.TryParse(head, NumberStyles.None, CultureInfo.InvariantCulture, out var version) ? version : null;
    }
}

/// <summary>Whether a failed If-Match names an older version of the record or is no ETag of it.</summary>
public enum PreconditionMismatchKind
{
    /// <summary>A well-formed tag of an older version: someone changed the record after it was read.</summary>
    ChangedSince,

    /// <summary>Malformed, a version the record never had, or a data version the store never issued.</summary>
    NotThisRecord,
}

/// <summary>Why an If-Match failed: the kind, the older version named (for <see cref="PreconditionMismatchKind.ChangedSince"/>), and in words.</summary>
public sealed record PreconditionMismatch(PreconditionMismatchKind Kind, long? NamedVersion, string Reason);
