using static TorchSharp.torch;

namespace Volt.Data;

/// <summary>
/// A batch of single-channel images and their class labels, as <see cref="TensorDataLoader.ForImages"/>
/// and <see cref="LabeledImages.ToLoader"/> create it.
/// </summary>
/// <param name="Images">The images: float32, shape <c>[N, 1, 28, 28]</c> for Fashion-MNIST, pixel values scaled to [0, 1].</param>
/// <param name="Labels">The class labels: int64, shape <c>[N]</c>.</param>
public sealed record ImageBatch(Tensor Images, Tensor Labels);
