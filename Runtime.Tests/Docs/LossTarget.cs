using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.Json;
using Volt.Callbacks;
using static TorchSharp.torch;

namespace VoltDocExamples;

/// <summary>
/// Records the gradient norm before every optimizer step and stops fitting once the epoch's
/// training loss is below a target (the example of docs/callbacks.md).
/// </summary>
public sealed class LossTarget(double target) : Callback
{
    public List<double> GradientNorms { get; } = [];

    public int EpochsSeen { get; private set; }

    public int? StoppedEpoch { get; private set; }

    public override void OnBeforeOptimizerStep(CallbackContext context, optim.Optimizer optimizer)
    {
        using var scope = NewDisposeScope();
        var squares = 0.0;
        foreach (var parameter in optimizer.parameters())
        {
            if (parameter.grad is { } gradient)
            {
                squares += gradient.square().sum().item<float>();   // item() waits for the device
            }
        }

        GradientNorms.Add(Math.Sqrt(squares));
        context.LogMetrics(new Dictionary<string, double> { ["grad_norm"] = GradientNorms[^1] });
    }

    public override void OnTrainEpochEnd(CallbackContext context)
    {
        EpochsSeen++;
        if (context.CallbackMetrics.TryGetValue("train_loss", out var loss) && loss < target)
        {
            StoppedEpoch = context.CurrentEpoch;
            context.RequestStop(string.Create(CultureInfo.InvariantCulture, $"train_loss {loss:F4} is below {target} in epoch {context.CurrentEpoch}."));
        }
    }

    public override void SaveState(Utf8JsonWriter writer) => writer.WriteNumber("epochsSeen", EpochsSeen);

    public override void LoadState(JsonElement state) => EpochsSeen = state.GetProperty("epochsSeen").GetInt32();
}
