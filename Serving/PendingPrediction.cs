using System.Threading.Tasks;

namespace Volt.Serving;

/// <summary>One accepted request waiting for the model: its examples and where its outputs go.</summary>
internal sealed class PendingPrediction(float[] values, int examples)
{
    /// <summary>The examples, flat (examples × example size).</summary>
    public float[] Values { get; } = values;

    /// <summary>The number of examples.</summary>
    public int Examples { get; } = examples;

    /// <summary>Completed by the batcher with this request's rows of the output.</summary>
    public TaskCompletionSource<PredictionResult> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>A request's outputs: flat values and the shape of one example's output.</summary>
internal sealed record PredictionResult(float[] Values, long[] ExampleShape);
