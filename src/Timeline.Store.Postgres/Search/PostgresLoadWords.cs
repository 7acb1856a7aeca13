using System.Collections;
using System.Runtime.InteropServices;
using Timeline.Model.Store.Engine;

namespace Timeline.Store.Postgres;

/// <summary>
/// The words of a first load, worked out once, in the background, while the load copies the rows that need none: each
/// event's word signature (events.words, written with its row), its search row's tsvector (in binary form, which
/// PostgreSQL reads in half the time it parses the text), how many events hold each word (search_terms); and first the entities' and
/// sources' tsvectors. Events are taken in timeline order, the order their rows are copied in, in blocks on every core; a reader
/// waits only for the block it needs. PostgreSQL works on one core during a load, so the other does this work (a first
/// load's C# part used to take turns with it, twice: signatures before the rows, vectors before the search rows).
/// Nothing of an event's vector outlives its turn but its signature, its counts and its binary form, kept in a few large arrays:
/// a collector that copies a million small survivors costs more than the work itself.
/// </summary>
internal sealed class PostgresLoadWords : IDisposable
{
    /// <summary>Events worked out at a time, on every core; a reader waits for a whole block.</summary>
    private const int Block = 4096;

    /// <summary>The numbers a signature takes.</summary>
    private const int Words = PostgresSearchWords.Bits / 32;

    private readonly Dictionary<string, string> names;

    /// <summary>Each event's signature, <see cref="Words"/> numbers apiece (one array: a million small ones would each be copied by the collector).</summary>
    private readonly int[] signatures;

    /// <summary>Each block's tsvectors in binary form, one after the other, and where each ends (for the same reason).</summary>
    private readonly (byte[] Data, int[] Ends)[] vectors;
    private readonly TaskCompletionSource[] blocks;
    /// <summary>How many events hold each word, counted on each thread (merged by <see cref="Counts"/>).</summary>
    private readonly ThreadLocal<Dictionary<string, long>> counts = new(() => new Dictionary<string, long>(StringComparer.Ordinal), trackAllValues: true);
    /// <summary>The bits of the words each thread has hashed (PostgresSearchWords.Set), for this load only.</summary>
    private readonly ThreadLocal<Dictionary<string, int>> known = new(() => new Dictionary<string, int>(StringComparer.Ordinal));

    private readonly TaskCompletionSource records = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource stop = new();
    private readonly Task work;

    private readonly ValidatedDataset dataset;
    private ReadOnlyMemory<byte>[]? entityVectors;
    private ReadOnlyMemory<byte>[]? sourceVectors;

    private PostgresLoadWords(ValidatedDataset dataset)
    {
        this.dataset = dataset;
        var events = PostgresBulkWriter.TimelineOrder(dataset.Events);
        Events = events;
        names = PostgresSearchIndex.Names(dataset);
        signatures = new int[events.Count * Words];
        blocks = new TaskCompletionSource[(events.Count + Block - 1) / Block];
        vectors = new (byte[], int[])[blocks.Length];
        for (var b = 0; b < blocks.Length; b++)
        {
            blocks[b] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        work = Task.Factory.StartNew(Work, stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>The events, in timeline order (<see cref="PostgresBulkWriter.TimelineOrder"/>): the order of every answer here.</summary>
    public IReadOnlyList<ValidEvent> Events { get; }

    /// <summary>Starts working out the words of a dataset loaded into an empty store (every event new, every entity's names known).</summary>
    public static PostgresLoadWords Start(ValidatedDataset dataset) => new(dataset);

    /// <summary>The word signature of the <paramref name="index"/>th event, once its block is done.</summary>
    public BitArray Signature(int index)
    {
        Wait(index / Block);
        return new BitArray(signatures.AsSpan(index * Words, Words).ToArray());
    }

    /// <summary>The tsvector of the <paramref name="index"/>th event's search row, in binary form (<see cref="PostgresTsVector.WriteBinary"/>), once its block is done.</summary>
    public ReadOnlyMemory<byte> Vector(int index)
    {
        Wait(index / Block);
        var (data, ends) = vectors[index / Block];
        var k = index % Block;
        var start = k == 0 ? 0 : ends[k - 1];
        return data.AsMemory(start, ends[k] - start);
    }

    /// <summary>The names of an event's entities, as its search row keeps them.</summary>
    public string? EventNames(ValidEvent e) => PostgresSearchIndex.EventNames(e, names);

    /// <summary>The tsvector of the dataset's <paramref name="index"/>th entity in binary form, once they are worked out (first, before the events').</summary>
    public ReadOnlyMemory<byte> EntityVector(int index)
    {
        records.Task.GetAwaiter().GetResult();
        return entityVectors![index];
    }

    /// <summary>The tsvector of the dataset's <paramref name="index"/>th source in binary form, once they are worked out (first, before the events').</summary>
    public ReadOnlyMemory<byte> SourceVector(int index)
    {
        records.Task.GetAwaiter().GetResult();
        return sourceVectors![index];
    }

    /// <summary>How many events hold each word, once every block is done.</summary>
    public Dictionary<string, long> Counts()
    {
        work.GetAwaiter().GetResult();
        var all = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var thread in counts.Values)
        {
            foreach (var (word, count) in thread)
            {
                CollectionsMarshal.GetValueRefOrAddDefault(all, word, out _) += count;
            }
        }

        return all;
    }

    /// <summary>Stops the work (a load that failed does not wait for it).</summary>
    public void Dispose()
    {
        stop.Cancel();
        try
        {
            work.Wait();
        }
        catch (AggregateException)
        {
            // The reader has seen the failure, or there is no reader any more.
        }

        stop.Dispose();
        counts.Dispose();
        known.Dispose();
    }

    private void Wait(int block) => blocks[block].Task.GetAwaiter().GetResult();

    private void Work()
    {
        var options = new ParallelOptions { CancellationToken = stop.Token, MaxDegreeOfParallelism = Environment.ProcessorCount };
        var b = 0;
        try
        {
            // The entities and sources first: the load copies their rows while it waits for the events' words.
            entityVectors = Vectors(dataset.Entities.Select(PostgresSearchIndex.EntityColumns).ToList(), PostgresSearchRows.EntityWeights, options);
            sourceVectors = Vectors(dataset.Sources.Select(PostgresSearchIndex.SourceColumns).ToList(), PostgresSearchRows.SourceWeights, options);
            records.SetResult();
            for (; b < blocks.Length; b++)
            {
                var start = b * Block;
                var built = new byte[Math.Min(Block, Events.Count - start)][];
                Parallel.For(0, built.Length, options, k => built[k] = Compute(start + k));
                var ends = new int[built.Length];
                var data = new byte[built.Sum(v => v.Length)];
                var end = 0;
                for (var k = 0; k < built.Length; k++)
                {
                    built[k].CopyTo(data.AsSpan(end));
                    ends[k] = end += built[k].Length;
                }

                vectors[b] = (data, ends);
                blocks[b].SetResult();
            }
        }
        catch (Exception e)
        {
            records.TrySetException(e);
            for (; b < blocks.Length; b++)
            {
                blocks[b].TrySetException(e);
            }

            throw;
        }
    }

    private static ReadOnlyMemory<byte>[] Vectors(List<string?[]> columns, int[] weights, ParallelOptions options)
    {
        var vectors = new ReadOnlyMemory<byte>[columns.Count];
        Parallel.For(0, vectors.Length, options, i => vectors[i] = PostgresSearchIndex.Binary(PostgresSearchRows.Vector(columns[i], weights)));
        return vectors;
    }

    /// <summary>Works out one event: its signature and its words' counts are kept, its vector returned (binary); the rest is dropped at once (so the collector never copies it).</summary>
    private byte[] Compute(int index)
    {
        var columns = PostgresSearchIndex.EventColumns(Events[index], names);
        var vector = PostgresSearchRows.Vector(columns, PostgresSearchRows.EventWeights);
        PostgresSearchWords.Set(vector.Lexemes, signatures.AsSpan(index * Words, Words), known.Value);
        var counted = counts.Value!;
        foreach (var word in vector.Lexemes)
        {
            CollectionsMarshal.GetValueRefOrAddDefault(counted, word, out _)++;
        }

        return PostgresSearchIndex.Binary(vector).ToArray();
    }
}
