using TorchSharp;
using static TorchSharp.torch;

namespace Volt.Metrics.Classification;

/// <summary>
/// torchmetrics' <c>normalize_logits_if_needed</c>: scores outside [0, 1] are taken for logits and get a
/// sigmoid (binary, multilabel) or a softmax over dimension 1 (multiclass). The check is per batch. On
/// CPU it branches; on other devices it selects with <c>where</c> so no value is read back to the host.
/// </summary>
internal static class ScoreNormalization
{
    public static Tensor Sigmoid(Tensor scores) => Normalize(scores, softmax: false);

    public static Tensor Softmax(Tensor scores) => Normalize(scores, softmax: true);

    private static Tensor Normalize(Tensor scores, bool softmax)
    {
        var detached = scores.detach();
        if (detached.device_type == DeviceType.CPU)
        {
            var inRange = detached.ge(0).logical_and_(detached.le(1)).all().item<bool>();
            return inRange ? detached : softmax ? detached.softmax(1) : detached.sigmoid();
        }

        var outside = detached.lt(0).logical_or_(detached.gt(1)).any();
        return torch.where(outside, softmax ? detached.softmax(1) : detached.sigmoid(), detached);
    }
}
