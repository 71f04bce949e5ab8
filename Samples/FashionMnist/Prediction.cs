using static TorchSharp.torch;

namespace FashionMnistSample;

/// <summary>The classifier's [PredictStep] batch: images only (N×1×28×28, pixels in [0, 1]), no labels.</summary>
/// <param name="Images">The images.</param>
public sealed record ImageInput(Tensor Images);

/// <summary>The classifier's prediction for a batch.</summary>
/// <param name="Logits">Class logits, N×10.</param>
/// <param name="Labels">The most likely class of each image (0–9, int64), N.</param>
public sealed record FashionPrediction(Tensor Logits, Tensor Labels);
