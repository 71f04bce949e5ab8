using System;
using TorchSharp;
using static TorchSharp.torch;

namespace Volt.Precision;

/// <summary>
/// The numeric-precision seam of the generated training loop: it opens the autocast region around
/// the user's step, runs backward on the loss, and performs the optimizer step. The default,
/// <see cref="FullPrecision"/>, is plain float32; mixed-precision plugins override the hooks.
/// </summary>
public abstract class PrecisionPlugin
{
    /// <summary>The name of the precision setting, for example <c>"32-true"</c>.</summary>
    public abstract string Name { get; }

    /// <summary>
    /// Opens the autocast region for one forward pass. Use it with <c>using</c>; it costs no allocation.
    /// The region is thread-bound: do not <c>await</c> inside it.
    /// </summary>
    /// <returns>A scope that closes the region when disposed.</returns>
    public AutocastScope Autocast()
    {
        EnterAutocast();
        return new AutocastScope(this);
    }

    /// <summary>Runs backward on the loss (a grad scaler scales it first).</summary>
    /// <param name="loss">The scalar loss the training step returned.</param>
    public virtual void Backward(Tensor loss)
    {
        ArgumentNullException.ThrowIfNull(loss);
        loss.backward();
    }

    /// <summary>Steps the optimizer with the gradients of the last backward passes.</summary>
    /// <param name="optimizer">The optimizer to step.</param>
    /// <returns>True when the step was taken (a grad scaler may skip steps with non-finite gradients).</returns>
    public virtual bool OptimizerStep(optim.Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        using var result = optimizer.step();
        return true;
    }

    /// <summary>Called when an autocast region opens.</summary>
    protected internal virtual void EnterAutocast()
    {
    }

    /// <summary>Called when an autocast region closes.</summary>
    protected internal virtual void ExitAutocast()
    {
    }
}

/// <summary>Closes an autocast region when disposed. Returned by <see cref="PrecisionPlugin.Autocast"/>.</summary>
public readonly struct AutocastScope : IDisposable
{
    private readonly PrecisionPlugin? plugin;

    internal AutocastScope(PrecisionPlugin plugin)
    {
        this.plugin = plugin;
    }

    /// <summary>Closes the region.</summary>
    public void Dispose() => plugin?.ExitAutocast();
}

/// <summary>Full float32 precision: no autocast, plain backward and optimizer step.</summary>
public sealed class FullPrecision : PrecisionPlugin
{
    /// <inheritdoc />
    public override string Name => "32-true";
}
