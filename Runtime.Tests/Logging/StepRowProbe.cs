using System.Collections.Generic;
using System.IO;
using TorchSharp.Modules;
using Volt.Runtime.Tests.Training;
using static TorchSharp.torch;

namespace Volt.Runtime.Tests.Logging;

/// <summary>Counts the lines of metrics.csv at the start of each training step.</summary>
public sealed partial class StepRowProbe() : nn.Module<Tensor, Tensor>("step_rows")
{
    private readonly Linear linear = nn.Linear(1, 1);

    public List<int> RowsSeenAtStepStart { get; } = [];

    /// <summary>The folder searched for metrics.csv.</summary>
    public string SearchRoot { get; init; } = ".";

    public override Tensor forward(Tensor input) => linear.forward(input);

    [TrainingStep]
    private Tensor TrainingStep(XYBatch batch, int batchIndex)
    {
        if (batchIndex > 0)
        {
            var files = Directory.Exists(SearchRoot) ? Directory.GetFiles(SearchRoot, "metrics.csv", SearchOption.AllDirectories) : [];
            RowsSeenAtStepStart.Add(files.Length == 1 ? File.ReadAllLines(files[0]).Length : 0);
        }

        Log("value", batchIndex);
        return forward(batch.X).sum() * 0;
    }

    [ConfigureOptimizers]
    private optim.Optimizer ConfigureOptimizers() => optim.SGD(parameters(), 0.0);
}
