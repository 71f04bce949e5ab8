using System;
using System.Collections.Generic;
using TorchSharp;
using TorchSharp.Modules;
using Volt.Precision;
using Volt.Runtime.Tests.Training;
using static TorchSharp.torch;

namespace Volt.Runtime.Tests.Precision;

/// <summary>Records the dtypes and autocast state its steps see; can throw on a chosen batch.</summary>
public sealed partial class DtypeProbe(int throwOnBatch = -1) : nn.Module<Tensor, Tensor>("dtype_probe")
{
    private readonly Linear linear = nn.Linear(3, 1);

    public List<ScalarType> TrainingOutputDtypes { get; } = [];

    public List<ScalarType> ParameterDtypes { get; } = [];

    public List<ScalarType> ValidationOutputDtypes { get; } = [];

    public List<ScalarType> InputDtypes { get; } = [];

    public Tensor Weight => linear.weight!;

    public override Tensor forward(Tensor input) => linear.forward(input).squeeze(1);

    [TrainingStep]
    private Tensor TrainingStep(XYBatch batch, int batchIndex)
    {
        if (batchIndex == throwOnBatch)
        {
            throw new InvalidOperationException("failure injected by the test");
        }

        var output = forward(batch.X);
        TrainingOutputDtypes.Add(output.dtype);
        ParameterDtypes.Add(linear.weight!.dtype);
        InputDtypes.Add(batch.X.dtype);
        return nn.functional.mse_loss(output.to(ScalarType.Float32), batch.Y.to(ScalarType.Float32));
    }

    [ValidationStep]
    private void ValidationStep(XYBatch batch) => ValidationOutputDtypes.Add(forward(batch.X).dtype);

    [ConfigureOptimizers]
    private optim.Optimizer ConfigureOptimizers() => optim.SGD(parameters(), 0.01);
}
