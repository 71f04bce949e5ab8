using System;
using TorchSharp.Modules;
using Volt.Runtime.Tests.Training;
using static TorchSharp.torch;

namespace Volt.Runtime.Tests.Logging;

/// <summary>Logs its batch index every step and throws in the step of batch <see cref="FailAtBatch"/>.</summary>
public sealed partial class FailingStep(double learningRate = 0.01) : nn.Module<Tensor, Tensor>("failing_step")
{
    private readonly Linear linear = nn.Linear(1, 1);

    /// <summary>The batch whose step throws; -1 never throws.</summary>
    public int FailAtBatch { get; init; } = -1;

    public override Tensor forward(Tensor input) => linear.forward(input);

    [TrainingStep]
    private Tensor TrainingStep(XYBatch batch, int batchIndex)
    {
        if (batchIndex == FailAtBatch)
        {
            throw new InvalidOperationException($"the step of batch {batchIndex} fails on purpose");
        }

        Log("batch_index", batchIndex);
        return nn.functional.mse_loss(forward(batch.X), batch.Y);
    }

    [ConfigureOptimizers]
    private optim.Optimizer ConfigureOptimizers() => optim.SGD(parameters(), learningRate);
}
