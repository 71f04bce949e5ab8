using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text.Json;
using static TorchSharp.torch;

namespace Volt.Serving;

/// <summary>
/// What <see cref="Server"/> needs from a module's generated contract: decode a body into a request, run a
/// batch of requests through the <c>[PredictStep]</c>, encode one answer. Derive from
/// <see cref="ServingEndpoint{TRequest, TResponse}"/>; the generator does (<see cref="ServeAttribute"/>).
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public abstract class ServingEndpoint
{
    private protected ServingEndpoint()
    {
    }

    /// <summary>Whether several requests may be stacked into one batch (every batch member is a tensor).</summary>
    internal abstract bool CollatesRequests { get; }

    /// <summary>Decodes <paramref name="body"/>; throws <see cref="BadRequestException"/> naming the field.</summary>
    internal abstract object Decode(byte[] body, out int examples);

    /// <summary>Runs the requests as one batch (they are stacked when there are several) and returns each one's answer.</summary>
    internal abstract IReadOnlyList<object> Run(IReadOnlyList<object> requests, IReadOnlyList<int> examples);

    /// <summary>Writes one answer as the JSON body.</summary>
    internal abstract void Encode(Utf8JsonWriter writer, object response);

    /// <summary>Runs one zero example so declared shapes the model rejects fail at start, not per request.</summary>
    internal abstract void CheckAtStart();
}

/// <summary>
/// The base of a generated endpoint: the generated class says how its request and response records are read,
/// stacked, predicted, split and written; this class runs the prediction in eval mode, without gradients,
/// under one dispose scope per batch.
/// </summary>
/// <typeparam name="TRequest">The generated request record (the [PredictStep] batch with host arrays).</typeparam>
/// <typeparam name="TResponse">The generated response record (the step's output with host arrays).</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public abstract class ServingEndpoint<TRequest, TResponse> : ServingEndpoint
    where TRequest : class
    where TResponse : class
{
    private readonly nn.Module module;
    private readonly Device device;

    /// <summary>Serves <paramref name="module"/>; its tensors' device is where batches are created.</summary>
    protected ServingEndpoint(nn.Module module)
    {
        this.module = module;
        device = module.parameters().FirstOrDefault()?.device ?? CPU;
    }

    /// <summary>Whether requests can be stacked: true when every member of the batch type is a tensor.</summary>
    protected abstract bool CanCollate { get; }

    /// <summary>Reads the body's fields into a request.</summary>
    protected abstract TRequest Decode(ref ServingJsonReader json);

    /// <summary>The request's number of examples (the shared first dimension of its tensors).</summary>
    protected abstract int CountExamples(TRequest request);

    /// <summary>Stacks requests along the batch dimension.</summary>
    protected abstract TRequest Collate(IReadOnlyList<TRequest> requests);

    /// <summary>Builds the batch on <paramref name="device"/>, runs the [PredictStep], and copies its output to the host.</summary>
    protected abstract TResponse Predict(TRequest request, int examples, Device device);

    /// <summary>The rows <paramref name="start"/> to <paramref name="start"/> + <paramref name="count"/> of every response tensor.</summary>
    protected abstract TResponse Slice(TResponse response, int start, int count);

    /// <summary>Writes the response object.</summary>
    protected abstract void Encode(Utf8JsonWriter writer, TResponse response);

    /// <summary>A request of one example of zeros.</summary>
    protected abstract TRequest ZeroExample();

    /// <summary>The declared example shapes, for the start-up error (for example <c>images [1, 28, 28]</c>).</summary>
    protected abstract string DescribeShapes();

    internal sealed override bool CollatesRequests => CanCollate;

    internal sealed override object Decode(byte[] body, out int examples)
    {
        var json = new ServingJsonReader(body);
        var request = Decode(ref json);
        examples = CountExamples(request);
        return request;
    }

    internal sealed override IReadOnlyList<object> Run(IReadOnlyList<object> requests, IReadOnlyList<int> examples)
    {
        var typed = requests.Cast<TRequest>().ToList();
        var batch = typed.Count == 1 ? typed[0] : Collate(typed);
        var response = PredictInEvalMode(batch, examples.Sum());
        var answers = new List<object>(typed.Count);
        var start = 0;
        foreach (var count in examples)
        {
            answers.Add(Slice(response, start, count));
            start += count;
        }

        return answers;
    }

    internal sealed override void Encode(Utf8JsonWriter writer, object response) => Encode(writer, (TResponse)response);

    internal sealed override void CheckAtStart()
    {
        try
        {
            PredictInEvalMode(ZeroExample(), 1);
        }
        catch (Exception error) when (error is ExternalException or InvalidOperationException)
        {
            throw new ArgumentException($"The module's [PredictStep] fails on one zero example of the declared [ExampleShape]s ({DescribeShapes()}): {error.Message.Split('\n', 2)[0]}", nameof(module), error);
        }
    }

    private TResponse PredictInEvalMode(TRequest request, int examples)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        module.eval();
        return Predict(request, examples, device);
    }
}
