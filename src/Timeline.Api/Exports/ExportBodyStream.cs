using System.Diagnostics;
using Microsoft.AspNetCore.Http.Timeouts;

namespace Timeline.Api.Exports;

/// <summary>
/// The response body as an export writes it: every write to the client must finish within the write timeout, and over
/// the last stretch of time as long as the write timeout that the export spent waiting for its client (not the time it
/// spends reading the store, nor writes the socket's buffers took at once) the client must take at least the minimum
/// rate. A client that stops reading, or reads too slowly, gets <see cref="ExportClientTooSlowException"/>, and the
/// export ends and gives its slot back.
/// <para>
/// The request timeout covers an export until its first bytes go out (checking the parameters, waiting for a slot,
/// the first rows); from then on the export streams for as long as its client keeps up.
/// </para>
/// </summary>
public sealed class ExportBodyStream(Stream inner, HttpContext? context, TimeSpan writeTimeout, long minBytesPerSecond) : Stream
{
    private long _bytes;
    private long _waitingTicks;
    private bool _started;

    /// <summary>Bytes handed to the client so far.</summary>
    public long BytesWritten => _bytes;

    /// <summary>How long the export has waited for its client so far.</summary>
    public TimeSpan TimeWaited => Stopwatch.GetElapsedTime(0, _waitingTicks);

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return;
        }

        Start();
        await GuardAsync(ct => inner.WriteAsync(buffer, ct), buffer.Length, cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task FlushAsync(CancellationToken cancellationToken) =>
        _started ? GuardAsync(ct => new ValueTask(inner.FlushAsync(ct)), 0, cancellationToken).AsTask() : Task.CompletedTask;

    public override void Flush() => throw new NotSupportedException("An export writes asynchronously.");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("An export writes asynchronously.");

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>The first bytes are going out: from here on the export is bounded by its client's pace, not by the request timeout.</summary>
    private void Start()
    {
        if (!_started)
        {
            _started = true;
            context?.Features.Get<IHttpRequestTimeoutFeature>()?.DisableTimeout();
        }
    }

    private async ValueTask GuardAsync(Func<CancellationToken, ValueTask> write, int count, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(writeTimeout);
        try
        {
            await write(timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ExportClientTooSlowException($"a write to the client did not finish within {writeTimeout.TotalSeconds:0.#} seconds ({_bytes:N0} bytes sent)");
        }

        var waited = Stopwatch.GetTimestamp() - started;
        _waitingTicks += waited;
        _bytes += count;
        if (minBytesPerSecond > 0 && _window.TooSlow(count, waited, writeTimeout, minBytesPerSecond) is { } rate)
        {
            throw new ExportClientTooSlowException(
                $"the client took {rate:N0} bytes a second over the last {writeTimeout.TotalSeconds:0.#} seconds the export waited for it, under {minBytesPerSecond:N0} ({_bytes:N0} bytes sent)");
        }
    }

    private readonly RateWindow _window = new();

    /// <summary>
    /// The client's pace over the most recent writes that made the export wait as long as the window, in about twenty
    /// buckets: writes the socket's buffers take at once add bytes but no waiting, so once the buffers are full (and
    /// every write waits for the client to read) the window holds only what the client itself took.
    /// </summary>
    private sealed class RateWindow
    {
        private readonly Queue<(long Bytes, long Ticks)> _buckets = new();
        private long _bytes;
        private long _ticks;
        private long _bucketBytes;
        private long _bucketTicks;

        /// <summary>The client's rate in bytes a second when the window is full and the rate under the minimum, else null.</summary>
        public double? TooSlow(int count, long waitedTicks, TimeSpan window, long minBytesPerSecond)
        {
            var windowTicks = (long)(window.TotalSeconds * Stopwatch.Frequency);
            _bucketBytes += count;
            _bucketTicks += waitedTicks;
            if (_bucketTicks >= windowTicks / 20)
            {
                _buckets.Enqueue((_bucketBytes, _bucketTicks));
                (_bytes, _ticks) = (_bytes + _bucketBytes, _ticks + _bucketTicks);
                (_bucketBytes, _bucketTicks) = (0, 0);
            }

            while (_buckets.Count > 0 && _ticks - _buckets.Peek().Ticks >= windowTicks)
            {
                var (bytes, ticks) = _buckets.Dequeue();
                (_bytes, _ticks) = (_bytes - bytes, _ticks - ticks);
            }

            if (_ticks < windowTicks)
            {
                return null;
            }

            var rate = _bytes / ((double)_ticks / Stopwatch.Frequency);
            return rate < minBytesPerSecond ? rate : null;
        }
    }
}

/// <summary>An export's client stopped reading or read too slowly: the export is dropped.</summary>
public sealed class ExportClientTooSlowException(string message) : IOException(message);
