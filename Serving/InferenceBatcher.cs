using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using static TorchSharp.torch;

namespace Volt.Serving;

/// <summary>
/// The queue between HTTP requests and the model. Requests are accepted while the bounded queue has
/// room (<see cref="TryEnqueue"/>); one worker takes the first waiting request, waits up to the batch
/// window for others (dynamic batching), stacks their examples into one tensor, runs the module's
/// forward in eval mode without gradients under a dispose scope, and hands each request its rows.
/// <see cref="CompleteAsync"/> stops accepting and finishes everything already accepted.
/// </summary>
internal sealed class InferenceBatcher
{
    private readonly nn.Module<Tensor, Tensor> module;
    private readonly ServerOptions options;
    private readonly ServingMetrics metrics;
    private readonly Channel<PendingPrediction> queue;
    private readonly Task worker;
    private PendingPrediction? carried;

    public InferenceBatcher(nn.Module<Tensor, Tensor> module, ServerOptions options, ServingMetrics metrics)
    {
        this.module = module;
        this.options = options;
        this.metrics = metrics;
        queue = Channel.CreateBounded<PendingPrediction>(new BoundedChannelOptions(options.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        worker = Task.Run(RunAsync);
    }

    /// <summary>Queues <paramref name="request"/>; false when the queue is full or the batcher is stopping.</summary>
    public bool TryEnqueue(PendingPrediction request)
    {
        if (!queue.Writer.TryWrite(request))
        {
            return false;
        }

        metrics.QueueChanged(+1);
        return true;
    }

    /// <summary>Refuses new requests and returns when every accepted one has its answer.</summary>
    public Task CompleteAsync()
    {
        queue.Writer.TryComplete();
        return worker;
    }

    private async Task RunAsync()
    {
        while (true)
        {
            var first = carried ?? await ReadOrNullAsync(CancellationToken.None);
            carried = null;
            if (first is null)
            {
                return;
            }

            var batch = new List<PendingPrediction> { first };
            if (options.DynamicBatching)
            {
                await FillAsync(batch);
            }

            Run(batch);
        }
    }

    /// <summary>Adds waiting requests to <paramref name="batch"/> until the window closes or the batch is full.</summary>
    private async Task FillAsync(List<PendingPrediction> batch)
    {
        var examples = batch[0].Examples;
        using var window = new CancellationTokenSource(options.BatchWindow);
        while (examples < options.MaxBatchSize)
        {
            PendingPrediction? next;
            if (!queue.Reader.TryRead(out next))
            {
                try
                {
                    next = await ReadOrNullAsync(window.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                if (next is null)
                {
                    return;
                }
            }
            else
            {
                metrics.QueueChanged(-1);
            }

            if (examples + next.Examples > options.MaxBatchSize)
            {
                carried = next;
                return;
            }

            batch.Add(next);
            examples += next.Examples;
        }
    }

    private async Task<PendingPrediction?> ReadOrNullAsync(CancellationToken cancel)
    {
        if (!await queue.Reader.WaitToReadAsync(cancel))
        {
            return null;
        }

        if (!queue.Reader.TryRead(out var request))
        {
            return null;
        }

        metrics.QueueChanged(-1);
        return request;
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
