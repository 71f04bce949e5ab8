using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using static TorchSharp.torch;

namespace Volt.Serving;

/// <summary>
/// The queue between HTTP requests and the model. Requests are accepted while the bounded queue has
/// room (<see cref="TryEnqueue"/>); one dedicated thread takes the first waiting request, waits up to
/// the batch window for others (dynamic batching), stacks their examples into one tensor, runs the
/// module's forward in eval mode without gradients under a dispose scope, and hands each request its
/// rows. <see cref="CompleteAsync"/> stops accepting and finishes everything already accepted.
/// </summary>
/// <remarks>
/// A plain lock and <see cref="Monitor.Wait(object, TimeSpan)"/> rather than a channel: the worker
/// blocks in native code anyway, and a timed monitor wait closes the window on time even when the
/// thread pool is busy.
/// </remarks>
internal sealed class InferenceBatcher
{
    private readonly nn.Module<Tensor, Tensor> module;
    private readonly ServerOptions options;
    private readonly ServingMetrics metrics;
    private readonly Queue<PendingPrediction> queue = new();
    private readonly object gate = new();
    private readonly Thread worker;
    private readonly TaskCompletionSource finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool completing;

    public InferenceBatcher(nn.Module<Tensor, Tensor> module, ServerOptions options, ServingMetrics metrics)
    {
        this.module = module;
        this.options = options;
        this.metrics = metrics;
        worker = new Thread(Run) { IsBackground = true, Name = "Volt inference batcher" };
        worker.Start();
    }

    /// <summary>Queues <paramref name="request"/>; false when the queue is full or the batcher is stopping.</summary>
    public bool TryEnqueue(PendingPrediction request)
    {
        lock (gate)
        {
            if (completing || queue.Count >= options.QueueCapacity)
            {
                return false;
            }

            queue.Enqueue(request);
            metrics.QueueChanged(+1);
            Monitor.Pulse(gate);
            return true;
        }
    }

    /// <summary>Refuses new requests and returns when every accepted one has its answer.</summary>
    public Task CompleteAsync()
    {
        lock (gate)
        {
            completing = true;
            Monitor.Pulse(gate);
        }

        return finished.Task;
    }

    private void Run()
    {
        try
        {
            while (NextBatch() is { } batch)
            {
                Run(batch);
            }
        }
        finally
        {
            finished.TrySetResult();
        }
    }

    /// <summary>
    /// Waits for a request, then (with dynamic batching) adds the requests that arrive within the
    /// window, up to <see cref="ServerOptions.MaxBatchSize"/> examples. Null once stopping and drained.
    /// </summary>
    private List<PendingPrediction>? NextBatch()
    {
        lock (gate)
        {
            while (queue.Count == 0)
            {
                if (completing)
                {
                    return null;
                }

                Monitor.Wait(gate);
            }

            var batch = new List<PendingPrediction> { Take() };
            if (!options.DynamicBatching)
            {
                return batch;
            }

            var examples = batch[0].Examples;
            var window = Stopwatch.StartNew();
            while (examples < options.MaxBatchSize)
            {
                if (queue.Count == 0)
                {
                    var remaining = options.BatchWindow - window.Elapsed;
                    if (completing || remaining <= TimeSpan.Zero)
                    {
                        break;
                    }

                    Monitor.Wait(gate, remaining);
                    continue;
                }

                if (examples + queue.Peek().Examples > options.MaxBatchSize)
                {
                    break;
                }

                var next = Take();
                batch.Add(next);
                examples += next.Examples;
            }

            return batch;
        }
    }

    private PendingPrediction Take()
    {
        metrics.QueueChanged(-1);
        return queue.Dequeue();
    }

    /// <summary>One forward pass over the stacked examples of <paramref name="batch"/>.</summary>
    private void Run(List<PendingPrediction> batch)
    {
        var examples = batch.Sum(r => r.Examples);
        metrics.ObserveBatch(examples);
        try
        {
            var (values, exampleShape) = Forward(batch, examples);
            var rowSize = values.Length / examples;
            var offset = 0;
            foreach (var request in batch)
            {
                var rows = values.AsSpan(offset, request.Examples * rowSize).ToArray();
                offset += rows.Length;
                request.Result.TrySetResult(new PredictionResult(rows, exampleShape));
            }
        }
        catch (Exception error)
        {
            foreach (var request in batch)
            {
                request.Result.TrySetException(error);
            }
        }
    }

    private (float[] Values, long[] ExampleShape) Forward(List<PendingPrediction> batch, int examples)
    {
        var stacked = new float[examples * options.ExampleSize];
        var offset = 0;
        foreach (var request in batch)
        {
            request.Values.CopyTo(stacked, offset);
            offset += request.Values.Length;
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        module.eval();
        var input = tensor(stacked, [examples, .. options.InputShape]);
        var output = module.forward(input);
        if (output.dim() == 0 || output.shape[0] != examples)
        {
            throw new InvalidOperationException($"The module returned shape [{string.Join(", ", output.shape)}] for {examples} examples; the server needs one output row per example (the batch dimension first).");
        }

        var rows = output.detach().cpu().to(ScalarType.Float32).contiguous();
        return (rows.data<float>().ToArray(), output.shape[1..]);
    }
}
