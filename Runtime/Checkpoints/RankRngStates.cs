using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace Volt.Checkpoints;

/// <summary>
/// The torch CPU generator state of every rank in a checkpoint, so a resume under DDP continues each rank's
/// random stream (dropout masks, augmentations) exactly. Rank 0's state stays in the tensor <c>rng/torch</c>
/// named by the manifest field <c>rng.torch</c>, as in a single-process checkpoint; with more than one
/// process the manifest adds <c>rng.worldSize</c> and <c>rng.torchByRank</c> (one tensor name per rank,
/// rank r &gt; 0 in <c>rng/rank{r}/torch</c>). A checkpoint without <c>rng.worldSize</c> was saved by one process.
/// </summary>
internal static class RankRngStates
{
    /// <summary>The tensor name of rank 0's state, the only one a single-process checkpoint holds.</summary>
    public const string RankZeroTensor = "rng/torch";

    /// <summary>The tensor name of <paramref name="rank"/>'s state.</summary>
    public static string TensorName(int rank) => rank == 0 ? RankZeroTensor : $"rng/rank{rank}/torch";

    /// <summary>
    /// Every rank's torch CPU generator state in rank order, gathered with <see cref="Strategies.Strategy.AllGather"/>:
    /// every rank must call it at the same point (checkpoints are saved at the same points on every rank).
    /// The tensors belong to the caller's dispose scope.
    /// </summary>
    public static IReadOnlyList<Tensor> Gather(Strategies.Strategy strategy)
    {
        using var local = torch.get_rng_state();
        return strategy.AllGather(local);
    }

    /// <summary>The checkpoint tensors of <paramref name="states"/>, named by rank.</summary>
    public static IEnumerable<(string Name, Tensor State)> Tensors(IReadOnlyList<Tensor> states)
        => states.Select((state, rank) => (TensorName(rank), state));

    /// <summary>Writes the <c>rng</c> fields naming the states (inside the open <c>rng</c> object).</summary>
    public static void WriteManifest(Utf8JsonWriter writer, int worldSize)
    {
        writer.WriteString("torch", RankZeroTensor);
        if (worldSize == 1)
        {
            // A single-process checkpoint is written exactly as before per-rank states existed.
            return;
        }

        writer.WriteNumber("worldSize", worldSize);
        writer.WriteStartArray("torchByRank");
        for (var rank = 0; rank < worldSize; rank++)
        {
            writer.WriteStringValue(TensorName(rank));
        }

        writer.WriteEndArray();
    }

    /// <summary>
    /// Reads and checks this rank's saved state from the manifest object <paramref name="rng"/>; the caller owns the result.
    /// </summary>
    /// <exception cref="System.IO.InvalidDataException">
    /// The checkpoint was saved by another number of processes than <paramref name="strategy"/> runs
    /// (the message names both), or the state is missing or malformed.
    /// </exception>
    public static Tensor ReadOwn(CheckpointReader checkpoint, JsonElement rng, Strategies.Strategy strategy)
    {
        var savedWorldSize = rng.TryGetProperty("worldSize", out _) ? ManifestFields.Int32(checkpoint, rng, "rng.worldSize") : 1;
        if (savedWorldSize != strategy.WorldSize)
        {
            throw CheckpointReader.Invalid(
                checkpoint.Path,
                $"it was saved by a run of {savedWorldSize} process(es) (rng.worldSize) but this run has {strategy.WorldSize}; "
                + "every rank's random state and data shard belong to that world size, so resume with the same number of processes (Devices × NumNodes)");
        }

        if (savedWorldSize == 1)
        {
            return RngState.Read(checkpoint, ManifestFields.String(checkpoint, rng, "rng.torch"));
        }

        var byRank = ManifestFields.Array(checkpoint, rng, "rng.torchByRank");
        if (byRank.GetArrayLength() != savedWorldSize)
        {
            throw CheckpointReader.Invalid(checkpoint.Path, $"its manifest field 'rng.torchByRank' names {byRank.GetArrayLength()} states for a world size of {savedWorldSize}");
        }

        var rank = strategy.GlobalRank;
        var name = byRank[rank].ValueKind == JsonValueKind.String
            ? byRank[rank].GetString()!
            : throw CheckpointReader.Invalid(checkpoint.Path, $"its manifest field 'rng.torchByRank[{rank}]' is not a tensor name");
        return RngState.Read(checkpoint, name);
    }
}
