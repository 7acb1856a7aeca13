using System.Diagnostics;
using Microsoft.AspNetCore.Http.Timeouts;

namespace Timeline.Api.Exports;

/// <summary>
/// The response body as an export writes it: every write to the client must finish within the write timeout, and over
/// the time the export spends waiting for its client (not the time it spends reading the store) the client must take
/// at least the minimum rate, after a grace as long as the write timeout. A client that stops reading, or reads too
/// slowly, gets <see cref="ExportClientTooSlowException"/>, and the export ends and gives its slot back.
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

        _waitingTicks += Stopwatch.GetTimestamp() - started;
        _bytes += count;
        var waited = TimeWaited - writeTimeout;
        if (minBytesPerSecond > 0 && waited > TimeSpan.Zero && _bytes < waited.TotalSeconds * minBytesPerSecond)
        {
            throw new ExportClientTooSlowException(
                $"the client took {_bytes:N0} bytes in {TimeWaited.TotalSeconds:0.#} seconds of waiting for it, under {minBytesPerSecond:N0} bytes a second");
        }
    }
}

/// <summary>An export's client stopped reading or read too slowly: the export is dropped.</summary>
public sealed class ExportClientTooSlowException(string message) : IOException(message);
