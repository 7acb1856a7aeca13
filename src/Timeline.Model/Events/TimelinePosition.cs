namespace Timeline.Model.Events;

/// <summary>
/// Where a page ended: in the timeline's total order (first day, precision rank, id), or, for results
/// ranked by relevance, the score and id.
/// </summary>
public sealed record TimelinePosition(string FirstDay, int Precision, string Id, double? Score = null);
