using System.Threading.Tasks;

namespace Volt.Serving;

/// <summary>One accepted request waiting for the model: its decoded request record and where its answer goes.</summary>
internal sealed class PendingPrediction(object request, int examples)
{
    /// <summary>The generated request record.</summary>
    public object Request { get; } = request;

    /// <summary>The number of examples.</summary>
    public int Examples { get; } = examples;

    /// <summary>Completed by the batcher with this request's generated response record.</summary>
    public TaskCompletionSource<object> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
