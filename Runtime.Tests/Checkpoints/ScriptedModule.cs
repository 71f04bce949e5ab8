using System.Collections.Generic;
using TorchSharp;
using TorchSharp.Modules;
using Volt.Runtime.Tests.Training;
using static TorchSharp.torch;

namespace Volt.Runtime.Tests.Checkpoints;

/// <summary>A module whose validation logs a scripted "score" per epoch, for checkpoint and early-stopping rules.</summary>
public sealed partial class ScriptedModule(double learningRate = 0.01) : nn.Module<Tensor, Tensor>("scripted")
{
    private readonly Linear linear = nn.Linear(3, 1);

    public IReadOnlyList<double> Scores { get; set; } = [];

    public int ValidationRuns { get; private set; }

    public override Tensor forward(Tensor input) => linear.forward(input).squeeze(1);

    [TrainingStep]
    private Tensor TrainingStep(XYBatch batch) => nn.functional.mse_loss(forward(batch.X), batch.Y);

    [ValidationStep]
    private void ValidationStep(XYBatch batch, int batchIndex)
    {
        if (batchIndex == 0)
        {
            ValidationRuns++;
        }

        Log("score", Scores[ValidationRuns - 1]);
    }

    [ConfigureOptimizers]
    private optim.Optimizer ConfigureOptimizers() => optim.Adam(parameters(), learningRate);
}
