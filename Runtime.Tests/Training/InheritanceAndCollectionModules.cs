using System.Collections.Generic;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Volt.Runtime.Tests.Training;

/// <summary>A Volt module whose steps and optimizer configuration are virtual, so a derived class can specialize them.</summary>
public partial class OverridableRegression() : nn.Module<Tensor, Tensor>("overridable")
{
    private readonly Linear linear = nn.Linear(3, 1);

    /// <summary>Which step and configuration methods ran, in order.</summary>
    public List<string> Calls { get; } = [];

    public override Tensor forward(Tensor input) => linear.forward(input).squeeze(1);

    [TrainingStep]
    protected virtual Tensor TrainingStep(XYBatch batch)
    {
        Calls.Add("base training step");
        return nn.functional.mse_loss(forward(batch.X), batch.Y);
    }

    [ValidationStep]
    protected virtual void ValidationStep(XYBatch batch)
    {
        Calls.Add("base validation step");
        Log("val_loss", nn.functional.mse_loss(forward(batch.X), batch.Y));
    }

    /// <summary>A learning rate of zero: the weights change only when a derived configuration replaces it.</summary>
    [ConfigureOptimizers]
    protected virtual optim.Optimizer ConfigureOptimizers()
    {
        Calls.Add("base optimizers");
        return optim.SGD(parameters(), 0.0);
    }
}

/// <summary>Overrides the training step and the optimizers without attributes: the base's generated loop calls the overrides.</summary>
public sealed class SpecializedRegression : OverridableRegression
{
    protected override Tensor TrainingStep(XYBatch batch)
    {
        Calls.Add("derived training step");
        var loss = nn.functional.mse_loss(forward(batch.X), batch.Y);
        Log("derived_loss", loss, onEpoch: true);
        return loss;
    }

    protected override optim.Optimizer ConfigureOptimizers()
    {
        Calls.Add("derived optimizers");
        return optim.SGD(parameters(), 0.1);
    }
}

/// <summary>A batch whose tensors are all inside collections, with a computed member that needs no transfer.</summary>
public sealed record CollectionBatch(Tensor[] Inputs, List<Tensor> Targets, Dictionary<string, Tensor> Named)
{
    public Tensor First => Inputs[0];
}

/// <summary>Records the dtypes of the tensors its training step receives; its array hyperparameters go to hparams.json.</summary>
public sealed partial class CollectionModule(int[] widths, string[] tags, double[]? scales = null) : nn.Module<Tensor, Tensor>("collections")
{
    private readonly Linear linear = nn.Linear(3, 1);

    /// <summary>The dtypes of every batch tensor the training step saw.</summary>
    public List<ScalarType> SeenDtypes { get; } = [];

    /// <summary>The widths the module was built with.</summary>
    public int[] Widths => widths;

    public override Tensor forward(Tensor input) => linear.forward(input).squeeze(1);

    [TrainingStep]
    private Tensor TrainingStep(CollectionBatch batch)
    {
        SeenDtypes.AddRange([batch.Inputs[0].dtype, batch.Targets[0].dtype, batch.Named["x"].dtype, batch.First.dtype]);
        return nn.functional.mse_loss(forward(batch.Inputs[0]), batch.Targets[0]) + (tags.Length * (scales?.Length ?? 0) * 0);
    }

    [ConfigureOptimizers]
    private optim.Optimizer ConfigureOptimizers() => optim.SGD(parameters(), 0.01);
}
