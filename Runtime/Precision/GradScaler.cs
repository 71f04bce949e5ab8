using System;
using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;

namespace Volt.Precision;

/// <summary>
/// Dynamic loss scaling for float16 training, with PyTorch's <c>GradScaler</c> semantics: the loss is
/// multiplied by <see cref="Scale"/> before backward; before the optimizer step the gradients are
/// unscaled once and checked; a step with any inf/NaN gradient is skipped and the scale backs off,
/// and after <see cref="GrowthInterval"/> good steps in a row it grows. Plain tensor arithmetic, so it
/// runs (and is tested) on CPU tensors too.
/// </summary>
public sealed class GradScaler
{
    private readonly HashSet<optim.Optimizer> unscaled = new(ReferenceEqualityComparer.Instance);
    private bool foundInfThisIteration;

    /// <summary>Creates a scaler with PyTorch's defaults.</summary>
    public GradScaler(double initScale = 65536.0, double growthFactor = 2.0, double backoffFactor = 0.5, int growthInterval = 2000)
    {
        if (!(initScale > 0) || !(growthFactor > 1) || !(backoffFactor > 0 && backoffFactor < 1) || growthInterval < 1)
        {
            throw new ArgumentException("GradScaler needs initScale > 0, growthFactor > 1, 0 < backoffFactor < 1 and growthInterval >= 1.");
        }

        Scale = initScale;
        GrowthFactor = growthFactor;
        BackoffFactor = backoffFactor;
        GrowthInterval = growthInterval;
    }

    /// <summary>The current loss scale.</summary>
    public double Scale { get; private set; }

    /// <summary>Good steps since the scale last changed.</summary>
    public int GrowthTracker { get; private set; }

    /// <summary>The factor the scale grows by.</summary>
    public double GrowthFactor { get; }

    /// <summary>The factor the scale backs off by after non-finite gradients.</summary>
    public double BackoffFactor { get; }

    /// <summary>Good steps needed before the scale grows.</summary>
    public int GrowthInterval { get; }

    /// <summary>Steps skipped because of non-finite gradients so far.</summary>
    public long SkippedSteps { get; private set; }

    /// <summary>The loss multiplied by the scale (a new tensor in the current dispose scope).</summary>
    public Tensor ScaleLoss(Tensor loss) => loss * Scale;

    /// <summary>
    /// Divides the gradients of <paramref name="optimizer"/>'s parameters by the scale, once per step,
    /// and records whether any is inf or NaN. Call before clipping.
    /// </summary>
    public void Unscale(optim.Optimizer optimizer)
    {
        if (!unscaled.Add(optimizer))
        {
            return;
        }

        using var scope = NewDisposeScope();
        var inverse = 1.0 / Scale;
        Tensor? nonFinite = null;
        foreach (var parameter in optimizer.parameters())
        {
            var grad = parameter.grad;
            if (grad is null)
            {
                continue;
            }

            var bad = grad.isfinite().logical_not().any();
            nonFinite = nonFinite is null ? bad : nonFinite.logical_or(bad);
            grad.mul_(inverse);
        }

        if (nonFinite is not null && nonFinite.item<bool>())
        {
            foundInfThisIteration = true;
        }
    }

    /// <summary>Unscales if needed, then steps <paramref name="optimizer"/> unless a gradient is non-finite.</summary>
    /// <returns>True when the step was taken.</returns>
    public bool Step(optim.Optimizer optimizer)
    {
        Unscale(optimizer);
        if (foundInfThisIteration)
        {
            return false;
        }

        using var result = optimizer.step();
        return true;
    }

    /// <summary>Adjusts the scale once per iteration, after every optimizer of the iteration stepped (or skipped).</summary>
    public void Update()
    {
        if (foundInfThisIteration)
        {
            Scale *= BackoffFactor;
            GrowthTracker = 0;
            SkippedSteps++;
        }
        else if (++GrowthTracker >= GrowthInterval)
        {
            Scale *= GrowthFactor;
            GrowthTracker = 0;
        }

        foundInfThisIteration = false;
        unscaled.Clear();
    }

    /// <summary>Restores state saved in a checkpoint.</summary>
    internal void Restore(double scale, int growthTracker, long skippedSteps)
    {
        Scale = scale;
        GrowthTracker = growthTracker;
        SkippedSteps = skippedSteps;
    }
}
