namespace Timeline.Model.Store;

/// <summary>
/// Who writes, why, and whether for real: every write of the store carries one. The actor and the reason are
/// kept in the revision the write adds (and so in the change feed); a dry run does everything a write does
/// (preconditions, validation, offsets, conflicts) inside its transaction, reads the result there, and rolls back,
/// so it answers exactly what would be stored and changes nothing.
/// </summary>
/// <param name="Actor">The name of the API key that writes (or "seed", "import").</param>
/// <param name="Reason">Why, in the curator's words (at most <see cref="MaxReasonLength"/> characters), or null.</param>
/// <param name="DryRun">True to check the write without writing it.</param>
public sealed record WriteContext(string Actor, string? Reason = null, bool DryRun = false)
{
    /// <summary>The longest reason kept, in UTF-16 code units.</summary>
    public const int MaxReasonLength = 500;

    /// <summary>A plain write by <paramref name="actor"/>, without a reason.</summary>
    public static implicit operator WriteContext(string actor) => new(actor);

    /// <summary>What is wrong with a reason as given (null when it may be kept): too long, or holding control characters.</summary>
    public static string? ReasonProblem(string? reason)
    {
        if (reason is null)
        {
            return null;
        }

        if (reason.Length > MaxReasonLength)
        {
            // The limit counts UTF-16 code units: 500 emoji are 1000 of them, which the answer must say, or it reads as a miscount.
            return $"is {reason.Length} characters long; at most {MaxReasonLength} are kept"
                + (reason.Any(char.IsSurrogate) ? " (counted in UTF-16 code units: an emoji or any other character beyond U+FFFF counts as 2)" : string.Empty);
        }

        if (string.IsNullOrWhiteSpace(reason))
        {
            return "is empty; leave it out, or say why the change is made";
        }

        // Not FirstOrDefault: U+0000 is itself the default char, so a NUL would pass as "none found".
        var at = Array.FindIndex(reason.ToCharArray(), char.IsControl);

        return at < 0 ? null : $"holds the control character U+{(int)reason[at]:X4}; a reason is one line of text";
    }
}
