using Microsoft.AspNetCore.Http.HttpResults;
using Timeline.Api.Problems;

namespace Timeline.Api.Curation;

/// <summary>A refused write as its problem details: the status, title, detail, extensions and Location header of each refusal.</summary>
public static class WriteAnswers
{
    public static ProblemHttpResult Problem<TRecord>(HttpContext http, string name, WriteOutcome<TRecord> outcome)
        where TRecord : class
    {
        var plural = QueryProblems.Plural(name);
        switch (outcome)
        {
            case WriteOutcome<TRecord>.NotFound notFound:
                return Problem(StatusCodes.Status404NotFound, $"No such {name}", $"There is no {name} with id '{notFound.Id}'.");
            case WriteOutcome<TRecord>.Gone gone:
                return Problem(StatusCodes.Status410Gone, $"The {name} was deleted",
                    $"The {name} '{gone.Id}' was deleted at {gone.DeletedAt} by {gone.DeletedBy}; POST /{plural}/{gone.Id}/restore brings it back.",
                    new() { ["deletedAt"] = gone.DeletedAt, ["deletedBy"] = gone.DeletedBy });
            case WriteOutcome<TRecord>.PreconditionRequired required:
                return Problem(StatusCodes.Status428PreconditionRequired, "If-Match required",
                    $"Send If-Match with the ETag of the {name} you are changing (GET /{plural}/{required.Id}), so that a change made meanwhile by someone else is never overwritten.");
            case WriteOutcome<TRecord>.PreconditionFailed { Mismatch.Kind: PreconditionMismatchKind.NotThisRecord } foreign:
                return Problem(StatusCodes.Status412PreconditionFailed, "If-Match is not an ETag of this record",
                    $"If-Match names no version of the {name} '{foreign.Id}': {foreign.Mismatch!.Reason}. Send the ETag a GET of /{plural}/{foreign.Id} answers (it is at version {foreign.CurrentVersion}).",
                    new() { ["currentVersion"] = foreign.CurrentVersion, ["reason"] = "not-this-record" });
            case WriteOutcome<TRecord>.PreconditionFailed stale:
                return Problem(StatusCodes.Status412PreconditionFailed, "The record has changed",
                    $"The {name} '{stale.Id}' is at version {stale.CurrentVersion}, not the one your If-Match names{(stale.Mismatch?.NamedVersion is { } named ? $" ({named})" : "")}; someone changed it since you read it. GET it again, reapply your change, and send the new ETag.",
                    new() { ["currentVersion"] = stale.CurrentVersion, ["yourVersion"] = stale.Mismatch?.NamedVersion, ["reason"] = "changed-since" });
            case WriteOutcome<TRecord>.Invalid invalid:
                var errors = new Dictionary<string, string[]>(invalid.Errors, StringComparer.Ordinal);
                return TypedResults.Problem(new HttpValidationProblemDetails(errors)
                {
                    Status = StatusCodes.Status422UnprocessableEntity,
                    Title = "The document is not valid",
                    Detail = string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")),
                });
            case WriteOutcome<TRecord>.Conflict conflict:
                return Conflict(http, name, plural, conflict.Reason);
            default:
                throw new InvalidOperationException($"A {outcome.GetType().Name} outcome is no refusal.");
        }
    }

    /// <summary>
    /// As <see cref="Problem{TRecord}"/>, except that a write to a deleted id that now leads to another record (it was merged
    /// into it, or renamed) says so: "POST .../restore brings it back" was wrong there, as the restore answers 409.
    /// </summary>
    public static async Task<ProblemHttpResult> ProblemAsync<TRecord>(HttpContext http, string name, WriteOutcome<TRecord> outcome, CancellationToken cancellationToken)
        where TRecord : class
    {
        if (outcome is WriteOutcome<TRecord>.Gone gone
            && await http.RequestServices.GetRequiredService<IFormerIds>().CurrentIdAsync(name, gone.Id, cancellationToken) is { } current)
        {
            var plural = QueryProblems.Plural(name);
            return Problem(StatusCodes.Status410Gone, $"The {name} was deleted",
                $"The {name} '{gone.Id}' was deleted at {gone.DeletedAt} by {gone.DeletedBy}, and its id now leads to the {name} '{current}', which lists it among its former ids (it was merged into it, or renamed); write to /{plural}/{current} instead.",
                new() { ["deletedAt"] = gone.DeletedAt, ["deletedBy"] = gone.DeletedBy, ["current"] = $"/{plural}/{current}" });
        }

        return Problem(http, name, outcome);
    }

    private static ProblemHttpResult Conflict(HttpContext http, string name, string plural, WriteConflict reason)
    {
        switch (reason)
        {
            case WriteConflict.IdTaken taken:
                http.Response.Headers.Location = $"/{plural}/{taken.Id}";
                return Problem(StatusCodes.Status409Conflict, $"The {name} exists",
                    $"There is already {(name == "entity" || name == "event" ? "an" : "a")} {name} '{taken.Id}'; change it with PUT or PATCH /{plural}/{taken.Id}.");
            case WriteConflict.IdDeleted deleted:
                http.Response.Headers.Location = $"/{plural}/{deleted.Id}";
                return Problem(StatusCodes.Status409Conflict, $"The {name} exists",
                    $"The {name} '{deleted.Id}' exists but is deleted; bring it back with POST /{plural}/{deleted.Id}/restore.");
            case WriteConflict.TextAlreadyStored stored:
                http.Response.Headers.Location = $"/{plural}/{stored.ExistingId}";
                return Problem(StatusCodes.Status409Conflict, $"The {name} exists",
                    stored.ExistingDeleted
                        ? $"This text is already stored as source '{stored.ExistingId}' (sha256 {stored.Sha256}), which is deleted; restore it with POST /sources/{stored.ExistingId}/restore."
                        : $"This text is already stored as source '{stored.ExistingId}' (sha256 {stored.Sha256}); cite that source.",
                    new() { ["existing"] = $"/{plural}/{stored.ExistingId}" });
            case WriteConflict.StillReferredTo referred:
                var blockers = referred.Events;
                return Problem(StatusCodes.Status409Conflict, $"The {name} is still referred to",
                    $"{blockers.Count} event{(blockers.Count == 1 ? "" : "s")} still refer to the {name} '{referred.Id}': {string.Join(", ", blockers.Take(20))}{(blockers.Count > 20 ? ", …" : "")}. Change or delete them first.",
                    new() { ["events"] = blockers });
            case WriteConflict.NotDeleted notDeleted:
                return Problem(StatusCodes.Status409Conflict, $"The {name} is not deleted", $"The {name} '{notDeleted.Id}' is not deleted; there is nothing to restore.");
            case WriteConflict.RefersToDeleted refers:
                return Problem(StatusCodes.Status409Conflict, $"The {name} refers to deleted records",
                    $"The {name} '{refers.Id}' refers to deleted records: {string.Join(", ", refers.Records.Select(r => $"{r.Resource} {r.Id}"))}. Restore them first.");
            case WriteConflict.PatchNotApplicable patch:
                var failure = patch.Failure;
                var extensions = new Dictionary<string, object?> { ["operation"] = failure.Index, ["op"] = failure.Op, ["path"] = failure.Path };
                if (failure.TestFailed)
                {
                    extensions["actual"] = failure.Actual;
                }

                return Problem(StatusCodes.Status409Conflict, failure.TestFailed ? "A test operation failed" : "The patch does not apply",
                    $"Operation {failure.Index} ({failure.Op} {(failure.Path.Length == 0 ? "\"\"" : failure.Path)}) cannot apply to the {name} '{patch.Id}' as stored: {failure.Reason}. Nothing was changed{(failure.TestFailed ? "; GET the " + name + " again and rebuild the patch" : string.Empty)}.",
                    extensions);
            case WriteConflict.IdRenamed renamed:
                http.Response.Headers.Location = $"/{plural}/{renamed.CurrentId}";
                return Problem(StatusCodes.Status409Conflict, $"The {name} was renamed",
                    $"The id '{renamed.Id}' now leads to the {name} '{renamed.CurrentId}', which lists it among its former ids; restoring the deleted {name} would hide that record behind its old id. Change '{renamed.CurrentId}' first, or create the record under a new id.",
                    new() { ["current"] = $"/{plural}/{renamed.CurrentId}" });
            default:
                throw new InvalidOperationException($"Unknown conflict {reason.GetType().Name}.");
        }
    }

    private static ProblemHttpResult Problem(int status, string title, string detail, Dictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail, extensions: extensions);
}
