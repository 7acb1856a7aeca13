using Microsoft.Extensions.Options;
using Timeline.Api.Paging;
using Timeline.Store.Sqlite;

namespace Timeline.Api.Tests;

public class CursorCodecTests
{
    private static readonly CursorCodec Codec = new(Options.Create(new TimelineOptions { CursorSecret = "test-secret" }));
    private static readonly TimelinePosition Position = new("2020-12-01", 1, "smic-added-to-us-sanctions-list");

    [Fact]
    public void A_cursor_decodes_to_the_position_it_was_made_from()
    {
        var cursor = Codec.Encode(Position, "abc123");

        Assert.True(Codec.TryDecode(cursor, "abc123", out var decoded, out var error), error);
        Assert.Equal(Position, decoded);
    }

    [Fact]
    public void A_cursor_with_any_character_changed_is_refused()
    {
        var cursor = Codec.Encode(Position, "abc123");
        for (var i = 0; i < cursor.Length; i++)
        {
            if (cursor[i] == '.')
            {
                continue;
            }

            var altered = string.Concat(cursor.AsSpan(0, i), cursor[i] == 'A' ? "B" : "A", cursor.AsSpan(i + 1));
            Assert.False(Codec.TryDecode(altered, "abc123", out _, out var error), $"altered at {i}");
            Assert.NotNull(error);
        }
    }

    [Fact]
    public void A_cursor_from_another_query_is_refused_as_foreign()
    {
        var cursor = Codec.Encode(Position, "abc123");

        Assert.False(Codec.TryDecode(cursor, "other", out _, out var error));
        Assert.Contains("different query", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_cursor_signed_with_another_secret_is_refused()
    {
        var foreign = new CursorCodec(Options.Create(new TimelineOptions { CursorSecret = "another" })).Encode(Position, "abc123");

        Assert.False(Codec.TryDecode(foreign, "abc123", out _, out var error));
        Assert.Contains("altered", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("abc")]
    [InlineData("abc.")]
    [InlineData(".abc")]
    [InlineData("!!!.???")]
    [InlineData("eyJ2IjoxfQ.AAAA")]
    public void Garbage_is_not_a_cursor(string garbage)
    {
        Assert.False(Codec.TryDecode(garbage, "abc123", out var position, out _));
        Assert.Null(position);
    }
}
