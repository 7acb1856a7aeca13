using System.Buffers;
using System.Text.Json;

namespace Timeline.Api.Exports;

/// <summary>
/// A JSON document written in chunks: a <see cref="Utf8JsonWriter"/> over a memory buffer (the serializer flushes its
/// writer synchronously, and an export body takes only asynchronous writes), handed to the body asynchronously
/// whenever 32 KiB are pending. Memory stays at about one chunk (and the largest single value), whatever the length.
/// </summary>
public sealed class JsonChunks : IAsyncDisposable
{
    public const int ChunkBytes = 32 * 1024;

    private readonly ArrayBufferWriter<byte> _buffer = new(ChunkBytes * 2);
    private readonly Stream _body;

    public JsonChunks(Stream body, JsonWriterOptions options)
    {
        _body = body;
        Writer = new Utf8JsonWriter(_buffer, options);
    }

    public Utf8JsonWriter Writer { get; }

    /// <summary>Sends what is pending once it reaches a chunk.</summary>
    public ValueTask MaybeFlushAsync(CancellationToken cancellationToken)
    {
        Writer.Flush();
        return _buffer.WrittenCount >= ChunkBytes ? SendAsync(cancellationToken) : ValueTask.CompletedTask;
    }

    /// <summary>Sends everything pending and flushes the body.</summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        Writer.Flush();
        await SendAsync(cancellationToken);
        await _body.FlushAsync(cancellationToken);
    }

    public ValueTask DisposeAsync() => Writer.DisposeAsync();

    private async ValueTask SendAsync(CancellationToken cancellationToken)
    {
        if (_buffer.WrittenCount > 0)
        {
            await _body.WriteAsync(_buffer.WrittenMemory, cancellationToken);
            _buffer.ResetWrittenCount();
        }
    }
}
