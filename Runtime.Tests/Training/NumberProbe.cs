using static TorchSharp.torch;

namespace Volt.Runtime.Tests.Training;

/// <summary>Logs the 1-based batch number as a plain number, before and after a tensor.</summary>
public sealed partial class NumberProbe() : nn.Module<Tensor, Tensor>("numbers")
{
    private readonly TorchSharp.Modules.Linear linear = nn.Linear(1, 1);

    public override Tensor forward(Tensor input) => linear.forward(input);

    [ValidationStep]
    private void ValidationStep(XYBatch batch, int batchIndex)
    {
        Log("before_tensor", batchIndex + 1.0);
        Log("tensor", batch.X.mean());
        Log("after_tensor", batchIndex + 1.0);
        Log("explicit_one", batchIndex + 1.0, batchSize: 1);
    }
}
