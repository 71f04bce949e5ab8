using System.Collections.Generic;
using System.Threading;
using TorchSharp.Modules;
using Volt.Serving;
using static TorchSharp.torch;

namespace Volt.Runtime.Tests.Serving;

/// <summary>
/// A linear layer whose forward can be held at a gate, so tests can fill the server's queue
/// deterministically. It records the batch size of every forward pass. Served with a Tensor batch of 4 numbers per example.
/// </summary>
[Serve]
[ExampleShape("Inputs", 4)]
public sealed partial class GatedNet : nn.Module<Tensor, Tensor>
{
    private readonly Linear linear = nn.Linear(4, 2);
    private readonly ManualResetEventSlim gate = new(initialState: true);
    private readonly SemaphoreSlim entered = new(0);
    private readonly List<long> batchSizes = [];

    public GatedNet() : base("gated")
    {
        RegisterComponents();
    }

    /// <summary>The batch sizes of the forward passes so far.</summary>
    public IReadOnlyList<long> BatchSizes
    {
        get
        {
            lock (batchSizes)
            {
                return [.. batchSizes];
            }
        }
    }

    /// <summary>From now on every forward waits at the gate until <see cref="Open"/>.</summary>
    public void Close() => gate.Reset();

    public void Open() => gate.Set();

    /// <summary>Waits until a forward pass is held at the closed gate.</summary>
    public bool WaitUntilHeld() => entered.Wait(System.TimeSpan.FromSeconds(30));

    public override Tensor forward(Tensor input)
    {
        lock (batchSizes)
        {
            batchSizes.Add(input.shape[0]);
        }

        if (!gate.IsSet)
        {
            entered.Release();
            gate.Wait();
        }

        return linear.forward(input);
    }

    [PredictStep]
    private Tensor Predict(Tensor batch) => forward(batch);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            gate.Dispose();
            entered.Dispose();
        }

        base.Dispose(disposing);
    }
}
