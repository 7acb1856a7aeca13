using Timeline.Model.Events;

namespace Timeline.Model.Store;

/// <summary>
/// What the store holds under one id: the record, or its tombstone when it was deleted, or neither when the id is
/// unknown. Deconstructs as <c>var (found, deleted) = ...</c>.
/// </summary>
/// <param name="Found">The live record, or null.</param>
/// <param name="Deleted">The tombstone of a deleted record, or null.</param>
public readonly record struct RecordLookup<T>(T? Found, Tombstone? Deleted)
    where T : class;
