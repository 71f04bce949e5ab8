using TorchSharp.Modules;
using Volt.Runtime.Tests.Training;
using static TorchSharp.torch;

namespace Volt.Runtime.Tests.Strategies;

/// <summary>
/// A one-weight regression that starts from fixed weights (no random draw, so ranks on threads agree)
/// and logs values that depend on its rank, with and without <c>syncDist</c>.
/// </summary>
public sealed partial class RankProbe : nn.Module<Tensor, Tensor>
{
    private readonly Linear linear = nn.Linear(1, 1);

    public RankProbe()
        : base("rank_probe")
    {
        using var noGrad = no_grad();
        linear.weight!.fill_(0.5);
        linear.bias!.fill_(0.0);
    }

    public override Tensor forward(Tensor input) => linear.forward(input);

    [TrainingStep]
    private Tensor TrainingStep(XYBatch batch)
    {
        var loss = nn.functional.mse_loss(forward(batch.X), batch.Y);
        Log("loss_synced", loss, onStep: false, onEpoch: true, syncDist: true);
        Log("rank_mean", (double)GlobalRank, onStep: false, onEpoch: true, syncDist: true);

        // Rank 1's values weigh twice as much: the synced mean is over all samples, (0·1 + 1·2) / 3.
        Log("rank_weighted", (double)GlobalRank, onStep: false, onEpoch: true, batchSize: GlobalRank + 1, syncDist: true);
        Log("rank_local", (double)GlobalRank, onStep: false, onEpoch: true);
        return loss;
    }

    [ConfigureOptimizers]
    private optim.Optimizer ConfigureOptimizers() => optim.SGD(parameters(), 0.05);
}
