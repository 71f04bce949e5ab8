using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace Volt.Precision;

/// <summary>
/// The numeric-precision seam of the generated training loop: it opens the autocast region around
/// the user's step, runs backward on the loss, unscales gradients and performs the optimizer step.
/// <see cref="Create"/> builds the plugin for a <see cref="TrainerOptions.Precision"/> value.
/// </summary>
public abstract class PrecisionPlugin
{
    /// <summary>
    /// Every accepted <see cref="TrainerOptions.Precision"/> name. Lightning's aliases "64", "32", "16"
    /// and "bf16" are accepted too and stand for "64-true", "32-true", "16-mixed" and "bf16-mixed".
    /// </summary>
    public static IReadOnlyList<string> Names { get; } = Array.AsReadOnly(PrecisionNames.Canonical);

    /// <summary>The name of the precision setting, for example <c>"32-true"</c>.</summary>
    public abstract string Name { get; }

    /// <summary>The dtype floating-point batch tensors are cast to, or null to leave them as they are.</summary>
    public virtual ScalarType? InputDtype => null;

    /// <summary>The grad scaler (16-mixed only), or null.</summary>
    public virtual GradScaler? Scaler => null;

    /// <summary>
    /// Opens the autocast region for one step. Use it with <c>using</c>; it restores the previous
    /// autocast state when disposed, also on exceptions. The region is thread-bound: do not
    /// <c>await</c> inside it.
    /// </summary>
    /// <returns>A scope that closes the region when disposed.</returns>
    public AutocastScope Autocast() => EnterAutocast();

    /// <summary>Runs backward on the loss (a grad scaler scales it first).</summary>
    /// <param name="loss">The scalar loss the training step returned.</param>
    public virtual void Backward(Tensor loss)
    {
        ArgumentNullException.ThrowIfNull(loss);
        loss.backward();
    }

    /// <summary>Unscales the gradients of <paramref name="optimizer"/> before clipping (a no-op without a grad scaler).</summary>
    /// <param name="optimizer">The optimizer about to step.</param>
    public virtual void UnscaleGradients(optim.Optimizer optimizer)
    {
    }

    /// <summary>Steps the optimizer with the gradients of the last backward passes.</summary>
    /// <param name="optimizer">The optimizer to step.</param>
    /// <returns>True when the step was taken (a grad scaler skips steps with non-finite gradients).</returns>
    public virtual bool OptimizerStep(optim.Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        using var result = optimizer.step();
        return true;
    }

    /// <summary>Called once per training iteration after its optimizer steps (the grad scaler updates its scale here).</summary>
    public virtual void EndIteration()
    {
    }

    /// <summary>Prepares the module when a phase starts (true-precision plugins cast its parameters).</summary>
    /// <param name="module">The module, already on its device.</param>
    public virtual void SetupModule(nn.Module module)
    {
    }

    /// <summary>Writes the plugin's state (the grad scaler's) into a checkpoint manifest.</summary>
    public virtual void SaveState(Utf8JsonWriter writer)
    {
    }

    /// <summary>Restores the state written by <see cref="SaveState"/>.</summary>
    public virtual void LoadState(JsonElement state)
    {
    }

    /// <summary>Called when an autocast region opens; returns the scope that remembers what to restore.</summary>
    protected internal virtual AutocastScope EnterAutocast() => default;

    /// <summary>Called when an autocast region closes.</summary>
    protected internal virtual void ExitAutocast(in AutocastScope scope)
    {
    }

    /// <summary>
    /// Builds the plugin for <paramref name="precision"/> (a name of <see cref="Names"/> or one of Lightning's aliases) on <paramref name="device"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The value is unknown, or the device cannot do it; the message lists what is possible.</exception>
    public static PrecisionPlugin Create(string precision, Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        var name = PrecisionNames.Resolve(precision) ?? throw new ArgumentException(PrecisionNames.Problem(precision) + ".");
        var cuda = device.type == DeviceType.CUDA;
        if (name == "16-mixed" && !cuda)
        {
            throw new ArgumentException(
                $"Precision \"16-mixed\" needs a CUDA device (float16 autocast with a grad scaler); the device is {device}. "
                + $"On the CPU use one of: {string.Join(", ", Names.Where(n => n != "16-mixed"))}.");
        }

        return name switch
        {
            "bf16-mixed" => new MixedPrecision(name, device.type, ScalarType.BFloat16, scaler: null),
            "16-mixed" => new MixedPrecision(name, device.type, ScalarType.Float16, new GradScaler()),
            "bf16-true" => new TruePrecision(name, ScalarType.BFloat16),
            "16-true" => new TruePrecision(name, ScalarType.Float16),
            "64-true" => new TruePrecision(name, ScalarType.Float64),
            _ => new FullPrecision(),
        };
    }
}

/// <summary>Closes an autocast region when disposed and restores the autocast state that was active before. Returned by <see cref="PrecisionPlugin.Autocast"/>.</summary>
public readonly struct AutocastScope : IDisposable
{
    internal AutocastScope(PrecisionPlugin plugin, bool wasEnabled, ScalarType previousDtype)
    {
        Plugin = plugin;
        WasEnabled = wasEnabled;
        PreviousDtype = previousDtype;
    }

    internal PrecisionPlugin? Plugin { get; }

    internal bool WasEnabled { get; }

    internal ScalarType PreviousDtype { get; }

    /// <summary>Closes the region.</summary>
    public void Dispose() => Plugin?.ExitAutocast(this);
}

/// <summary>Plain float32 (<c>"32-true"</c>): no autocast, no scaling.</summary>
public sealed class FullPrecision : PrecisionPlugin
{
    /// <inheritdoc/>
    public override string Name => "32-true";
}

/// <summary>
/// Mixed precision (<c>"bf16-mixed"</c>, <c>"16-mixed"</c>): libtorch's autocast runs eligible operations
/// (matmuls, convolutions) in the low-precision dtype inside the step, while parameters, gradients and
/// the optimizer stay float32. 16-mixed adds a <see cref="GradScaler"/>.
/// </summary>
public sealed class MixedPrecision : PrecisionPlugin
{
    private readonly NativeAutocast autocast;
    private readonly DeviceType device;
    private readonly ScalarType dtype;

    /// <summary>Creates the plugin; fails with a message naming <paramref name="name"/> when libtorch lacks autocast.</summary>
    public MixedPrecision(string name, DeviceType device, ScalarType dtype, GradScaler? scaler)
    {
        Name = name;
        this.device = device;
        this.dtype = dtype;
        Scaler = scaler;
        autocast = NativeAutocast.Load(name);
    }

    /// <inheritdoc/>
    public override string Name { get; }

    /// <inheritdoc/>
    public override GradScaler? Scaler { get; }

    /// <inheritdoc/>
    public override void Backward(Tensor loss)
    {
        ArgumentNullException.ThrowIfNull(loss);
        if (Scaler is null)
        {
            loss.backward();
            return;
        }

        using var scaled = Scaler.ScaleLoss(loss);
        scaled.backward();
    }

    /// <inheritdoc/>
    public override void UnscaleGradients(optim.Optimizer optimizer) => Scaler?.Unscale(optimizer);

    /// <inheritdoc/>
    public override bool OptimizerStep(optim.Optimizer optimizer) => Scaler?.Step(optimizer) ?? base.OptimizerStep(optimizer);

    /// <inheritdoc/>
    public override void EndIteration() => Scaler?.Update();

    /// <inheritdoc/>
    public override void SaveState(Utf8JsonWriter writer)
    {
        if (Scaler is { } scaler)
        {
            writer.WriteStartObject("scaler");
            writer.WriteNumber("scale", scaler.Scale);
            writer.WriteNumber("growthTracker", scaler.GrowthTracker);
            writer.WriteNumber("skippedSteps", scaler.SkippedSteps);
            writer.WriteEndObject();
        }
    }

    /// <inheritdoc/>
    public override void LoadState(JsonElement state)
    {
        if (Scaler is { } scaler && state.TryGetProperty("scaler", out var saved))
        {
            scaler.Restore(saved.GetProperty("scale").GetDouble(), saved.GetProperty("growthTracker").GetInt32(), saved.GetProperty("skippedSteps").GetInt64());
        }
    }

    /// <inheritdoc/>
    protected internal override AutocastScope EnterAutocast()
    {
        var scope = new AutocastScope(this, autocast.IsEnabled(device), autocast.GetDtype(device));
        autocast.SetEnabled(device, true);
        autocast.SetDtype(device, dtype);
        autocast.IncrementNesting();
        return scope;
    }

    /// <inheritdoc/>
    protected internal override void ExitAutocast(in AutocastScope scope)
    {
        if (autocast.DecrementNesting() == 0)
        {
            autocast.ClearCache();
        }

        autocast.SetEnabled(device, scope.WasEnabled);
        autocast.SetDtype(device, scope.PreviousDtype);
    }

    /// <summary>Whether autocast is on for <paramref name="device"/> on this thread, and in which dtype (for tests and diagnostics).</summary>
    public static (bool Enabled, ScalarType Dtype) State(DeviceType device)
    {
        var native = NativeAutocast.Load("bf16-mixed");
        return (native.IsEnabled(device), native.GetDtype(device));
    }
}

/// <summary>
/// True precision other than float32 (<c>"bf16-true"</c>, <c>"16-true"</c>, and <c>"64-true"</c> as Lightning's
/// <c>DoublePrecision</c>): the module's floating-point parameters and the batches' floating-point tensors are
/// cast to the dtype; everything runs in it.
/// </summary>
public sealed class TruePrecision(string name, ScalarType dtype) : PrecisionPlugin
{
    /// <inheritdoc/>
    public override string Name { get; } = name;

    /// <inheritdoc/>
    public override ScalarType? InputDtype => dtype;

    /// <inheritdoc/>
    public override void SetupModule(nn.Module module) => module.to(dtype);
}
