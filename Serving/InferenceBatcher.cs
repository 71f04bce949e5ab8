using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Volt.Serving;

/// <summary>
/// The queue between HTTP requests and the model. Requests are accepted while the bounded queue has
/// room (<see cref="TryEnqueue"/>); one dedicated thread takes the first waiting request, waits up to
/// the batch window for others (dynamic batching), and runs them through the module's generated endpoint
/// (<see cref="ServingEndpoint"/>: stacked into one batch, the [PredictStep] in eval mode without gradients
/// under a dispose scope, split back), then hands each request its answer. <see cref="CompleteAsync"/> stops accepting and finishes everything already accepted.
/// </summary>
/// <remarks>
/// A plain lock and <see cref="Monitor.Wait(object, TimeSpan)"/> rather than a channel: the worker
/// blocks in native code anyway, and a timed monitor wait closes the window on time even when the
/// thread pool is busy.
/// </remarks>
internal sealed class InferenceBatcher
{
    private readonly ServingEndpoint endpoint;
    private readonly ServerOptions options;
    private readonly ServingMetrics metrics;
    private readonly Queue<PendingPrediction> queue = new();
    private readonly object gate = new();
    private readonly Thread worker;
    private readonly TaskCompletionSource finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool completing;

    public InferenceBatcher(ServingEndpoint endpoint, ServerOptions options, ServingMetrics metrics)
    {
        this.endpoint = endpoint;
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
    /// window, up to <see cref="ServerOptions.MaxBatchSize"/> examples. Requests whose batch type has
    /// non-tensor members are never stacked. Null once stopping and drained.
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
            if (!options.DynamicBatching || !endpoint.CollatesRequests)
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

    /// <summary>One pass of the [PredictStep] over the stacked requests of <paramref name="batch"/>.</summary>
    private void Run(List<PendingPrediction> batch)
    {
        metrics.ObserveBatch(batch.Sum(r => r.Examples));
        try
        {
            var answers = endpoint.Run(batch.Select(r => r.Request).ToList(), batch.Select(r => r.Examples).ToList());
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Result.TrySetResult(answers[i]);
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
}
