using System;

namespace Volt;

/// <summary>
/// Asks the Volt generator for an ONNX exporter: on a partial <c>nn.Module&lt;Tensor, Tensor&gt;</c> class
/// whose <c>forward</c> is built from supported layers and tensor operations, the generator translates
/// <c>forward</c> into an <c>ExportOnnx(string path, long[] inputShape, bool dynamicBatch = true)</c>
/// method that writes the same computation as an ONNX graph (opset 17, eval-mode semantics). Anything
/// in <c>forward</c> it cannot translate gets a diagnostic (VOLT0055–VOLT0058) and no export method.
/// See docs/export.md for the supported parts.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class OnnxExportAttribute : Attribute;
