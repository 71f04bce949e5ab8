using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Threading;
using static TorchSharp.torch;

namespace Volt.Data;

/// <summary>
/// Wraps a loader whose batches are slow to make (read from disk, decoded, augmented) so that the
/// next <c>depth</c> batches are made ahead on a worker thread while the model trains on the current
/// one. Batches come in the same order as from the wrapped loader. A batch that fails to load
/// throws on the training thread, naming its index, with the original exception inside.
/// Tensors made on the worker join the caller's dispose scope when the caller takes the batch, as if
/// the caller had made them.
/// </summary>
/// <typeparam name="TBatch">The batch type.</typeparam>
public sealed class PrefetchingLoader<TBatch> : IDataLoader<TBatch>
{
    private readonly IDataLoader<TBatch> inner;
    private readonly int depth;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    /// <param name="inner">The loader whose batches are made ahead.</param>
    /// <param name="depth">How many batches may wait, made, for the training thread; at least 1.</param>
    public PrefetchingLoader(IDataLoader<TBatch> inner, int depth = 2)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentOutOfRangeException.ThrowIfLessThan(depth, 1);
        (this.inner, this.depth) = (inner, depth);
    }

    /// <inheritdoc />
    public int BatchCount => inner.BatchCount;

    /// <inheritdoc />
    public long SampleCount => inner.SampleCount;

    /// <inheritdoc />
    public IEpochBatches<TBatch> OpenEpoch(int epoch, long defaultSeed) => new Epoch(inner.OpenEpoch(epoch, defaultSeed), depth);

    private sealed record Prefetched(int Index, TBatch? Batch, IDisposable[] Tensors, Exception? Error);

    /// <summary>One epoch: a worker thread that makes batches from a start index on, in order.</summary>
    private sealed class Epoch(IEpochBatches<TBatch> batches, int depth) : IEpochBatches<TBatch>
    {
        private Worker? worker;
        private int expected = -1;

        public int Count => batches.Count;

        public TBatch GetBatch(int batchIndex)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(batchIndex);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(batchIndex, Count);
            if (worker is null || batchIndex != expected)
            {
                // First call, or a jump (a resumed epoch starts mid-way): make batches from here on.
                worker?.Dispose();
                worker = new Worker(batches, batchIndex, depth);
            }

            var item = worker.Take();
            expected = batchIndex + 1;
            if (item.Error is not null)
            {
                throw new InvalidOperationException($"Loading batch {item.Index} failed on the prefetching thread: {item.Error.Message}", item.Error);
            }

            // The caller owns the batch now, exactly as if it had made it: its tensors join the caller's scope.
            CurrentDisposeScope?.Attach(item.Tensors);
            return item.Batch!;
        }

        public void Dispose()
        {
            worker?.Dispose();
            batches.Dispose();
        }
    }

    private sealed class Worker : IDisposable
    {
        private readonly BlockingCollection<Prefetched> queue;
        private readonly CancellationTokenSource stop = new();
        private readonly Thread thread;

        public Worker(IEpochBatches<TBatch> batches, int start, int depth)
        {
            queue = new BlockingCollection<Prefetched>(boundedCapacity: depth);
            thread = new Thread(() => Run(batches, start)) { IsBackground = true, Name = "Volt prefetch" };
            thread.Start();
        }

        public Prefetched Take() => queue.Take();

        public void Dispose()
        {
            stop.Cancel();
            thread.Join();
            while (queue.TryTake(out var left))
            {
                Free(left);
            }

            queue.Dispose();
            stop.Dispose();
        }

        private void Run(IEpochBatches<TBatch> batches, int start)
        {
            try
            {
                Produce(batches, start);
            }
            finally
            {
                // A Take after the last batch (or after a failure) then throws instead of waiting forever.
                queue.CompleteAdding();
            }
        }

        private void Produce(IEpochBatches<TBatch> batches, int start)
        {
            for (var index = start; index < batches.Count && !stop.IsCancellationRequested; index++)
            {
                Prefetched item;
                try
                {
                    using var scope = NewDisposeScope();
                    var batch = batches.GetBatch(index);
                    var tensors = scope.DisposablesView.ToArray();
                    scope.Detach(tensors);
                    item = new Prefetched(index, batch, tensors, null);
                }
                catch (Exception error)
                {
                    item = new Prefetched(index, default, [], error);
                }

                try
                {
                    queue.Add(item, stop.Token);
                }
                catch (OperationCanceledException)
                {
                    Free(item);
                    return;
                }

                if (item.Error is not null)
                {
                    return;
                }
            }
        }

        private static void Free(Prefetched item)
        {
            foreach (var tensor in item.Tensors)
            {
                tensor.Dispose();
            }
        }
    }
}
