using TorchSharp;
using static TorchSharp.torch;

namespace VoltClassifier.Tests;

/// <summary>Fashion-MNIST-shaped images a classifier can learn quickly: each class is a fixed random pattern plus noise.</summary>
internal static class SyntheticImages
{
    /// <summary>Makes <paramref name="count"/> float32 images <c>[N, 1, 28, 28]</c> in [0, 1] and their int64 labels <c>[N]</c> (0 to 9).</summary>
    public static Tensor Create(int count, long seed, out Tensor labels)
    {
        using var scope = torch.NewDisposeScope();
        using var generator = new torch.Generator(unchecked((ulong)seed));
        var patterns = torch.rand([10, 1, 28, 28], generator: generator);
        var classes = torch.randint(0, 10, [count], generator: generator);
        var noise = torch.rand([count, 1, 28, 28], generator: generator);
        var images = patterns.index_select(0, classes).mul(0.7).add(noise.mul(0.3));
        labels = classes.MoveToOuterDisposeScope();
        return images.MoveToOuterDisposeScope();
    }
}
