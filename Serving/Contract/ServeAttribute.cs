using System;

namespace Volt.Serving;

/// <summary>
/// Asks the generator for this module's HTTP contract: <c>POST /predict</c> takes JSON that mirrors the
/// <c>[PredictStep]</c> batch type (a generated <c>PredictRequest</c> record) and answers JSON that mirrors
/// the step's return type (a generated <c>PredictResponse</c> record), run by a generated endpoint that
/// <see cref="Server"/> uses. Each tensor of the batch needs an <see cref="ExampleShapeAttribute"/>.
/// See docs/serving.md.
/// </summary>
/// <example>
/// <code>
/// [Serve]
/// [ExampleShape(nameof(ImageInput.Images), 1, 28, 28)]
/// public sealed partial class Classifier : nn.Module&lt;Tensor, Tensor&gt; { [PredictStep] Tensor Predict(ImageInput batch) => forward(batch.Images); ... }
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ServeAttribute : Attribute;
