using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Timeline.Store.Sqlite;

namespace Timeline.Api.Caching;

/// <summary>A whole 200 response as sent: its body and the headers that describe it (a single record's own ETag among them).</summary>
public sealed record CachedResponse(byte[] Body, string? ContentType, string? ContentDisposition, string? Link, string? ETag = null);

/// <summary>
/// Whole responses kept in memory under their ETag, which is derived from the store's data version,
/// the URL and Accept: a write moves the data version, so every entry made before it is never looked up
/// again and ages out of the cache. Bounded by Timeline:ResponseCacheMegabytes; bodies over 512 KiB
/// (large exports) are never kept, and a response is kept only from the second time its key is asked for
/// (<see cref="Admit"/>).
/// </summary>
public sealed class ResponseCache(IOptions<TimelineOptions> options) : IDisposable
{
    public const int MaxBodyBytes = 512 * 1024;

    private readonly MemoryCache? _cache = options.Value.ResponseCacheMegabytes <= 0
        ? null
        : new MemoryCache(new MemoryCacheOptions { SizeLimit = options.Value.ResponseCacheMegabytes * 1024L * 1024L, CompactionPercentage = 0.25 });

    /// <summary>Hashes of the keys asked for once, for <see cref="Admit"/>: 65,536 slots, 512 KiB.</summary>
    private readonly long[] _seen = new long[1 << 16];

    public bool Enabled => _cache is not null;

    /// <summary>
    /// Whether a response missing from the cache is worth keeping: only when its key was asked for before (a
    /// doorkeeper, as in TinyLFU). Under a stream of distinct queries that will never come again, nothing is
    /// copied or stored, and the cache is not churned (and compacted) by responses nobody asks for twice;
    /// a repeated query is kept from its second request on. Races between threads only lose a sighting.
    /// </summary>
    public bool Admit(string key)
    {
        if (_cache is null)
        {
            return false;
        }

        var hash = (long)string.GetHashCode(key, StringComparison.Ordinal) << 32 | (uint)key.Length;
        ref var slot = ref _seen[(int)((uint)hash.GetHashCode() & (_seen.Length - 1))];
        if (Volatile.Read(ref slot) == hash)
        {
            return true;
        }

        Volatile.Write(ref slot, hash);
        return false;
    }

    public bool TryGet(string etag, out CachedResponse? response)
    {
        response = null;
        return _cache is not null && _cache.TryGetValue(etag, out response);
    }

    public void Set(string etag, CachedResponse response) =>
        _cache?.Set(etag, response, new MemoryCacheEntryOptions { Size = response.Body.Length + 256, SlidingExpiration = TimeSpan.FromMinutes(10) });

    public void Dispose() => _cache?.Dispose();
}

/// <summary>Passes every write through to the response and keeps a copy of the first bytes, up to a limit.</summary>
public sealed class CapturingStream(Stream inner, int limit) : Stream
{
    private readonly MemoryStream _copy = new();

    public bool Overflowed { get; private set; }

    public byte[] Captured => _copy.ToArray();

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count)
    {
        Keep(buffer.AsSpan(offset, count));
        inner.Write(buffer, offset, count);
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Keep(buffer.Span);
        await inner.WriteAsync(buffer, cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    private void Keep(ReadOnlySpan<byte> bytes)
    {
        if (Overflowed)
        {
            return;
        }

        if (_copy.Length + bytes.Length > limit)
        {
            Overflowed = true;
            _copy.SetLength(0);
            return;
        }

        _copy.Write(bytes);
    }
}
