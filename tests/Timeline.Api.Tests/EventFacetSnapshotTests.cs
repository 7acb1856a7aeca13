using Timeline.Model.Store.Engine;

namespace Timeline.Api.Tests;

/// <summary>
/// The facets' in-memory copy as both engines build it (Timeline.Model/Store/Engine/EventFacetSnapshot.cs): events read in
/// any order are sorted by first day, an entity in several roles of one event counts once, and links of events not in the
/// copy (deleted ones) are left out.
/// </summary>
public class EventFacetSnapshotTests
{
    private static EventFacetSnapshot Build(bool ordered)
    {
        (string First, string Last, string Category, long Seq, string[] Tags)[] events =
        [
            ("2020-01-01", "2020-01-01", "sanction", 7, ["a"]),
            ("2019-05-01", "2021-12-31", "analysis", 3, ["a", "b"]),
            ("2022-02-02", "2022-02-02", "sanction", 5, []),
        ];
        var builder = new EventFacetSnapshotBuilder(2);
        foreach (var e in ordered ? events.OrderBy(e => e.First, StringComparer.Ordinal).ToArray() : events)
        {
            builder.AddEvent(e.First, e.Last, e.Category, e.Seq, e.Tags);
        }

        builder.AddEntityLink("acme", 7);
        builder.AddEntityLink("globex", 3);
        builder.AddEntityLink("acme", 3);
        builder.AddEntityLink("acme", 7); // a second role
        builder.AddEntityLink("acme", 99); // a deleted event's link
        builder.SetEntityName("acme", "Acme");
        builder.SetEntityName("globex", "Globex");
        return builder.Build(dataVersion: 4);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Events_are_kept_by_first_day_with_their_own_tags_and_entities(bool ordered)
    {
        var copy = Build(ordered);

        Assert.Equal(4, copy.DataVersion);
        Assert.Equal(new long[] { 3, 7, 5 }, copy.Seqs);
        Assert.Equal(copy.FirstDays.Order().ToArray(), copy.FirstDays);
        Assert.Equal(new DateOnly(2021, 12, 31).DayNumber - new DateOnly(2019, 5, 1).DayNumber, copy.LongestSpan);

        string Tags(int i) => string.Join(',', copy.TagOf[copy.TagStarts[i]..copy.TagStarts[i + 1]].Select(t => copy.Tags[t]));
        string Entities(int i) => string.Join(',', copy.EntityOf[copy.EntityStarts[i]..copy.EntityStarts[i + 1]].Select(e => copy.EntityNames[e]).Order(StringComparer.Ordinal));
        Assert.Equal("a,b", Tags(0));
        Assert.Equal("a", Tags(1));
        Assert.Equal("", Tags(2));
        Assert.Equal("Acme,Globex", Entities(0));
        Assert.Equal("Acme", Entities(1));
        Assert.Equal("", Entities(2));

        Assert.Equal(1, copy.PositionOf(7));
        Assert.Equal(-1, copy.PositionOf(99));
        Assert.Equal("0,2", string.Join(',', copy.PositionsOf([5, 99, 3, 3])));
        Assert.Equal(new Dictionary<string, long> { ["acme"] = 2, ["globex"] = 1 }, EventFacetCounter.EntityEventCounts(copy));
    }
}
