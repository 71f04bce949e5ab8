using System;
using TorchSharp;

namespace Volt;

/// <summary>
/// What a <see cref="ConfigureOptimizersAttribute"/> method returns when it also wants a learning-rate
/// scheduler (Lightning's <c>{"optimizer": ..., "lr_scheduler": {...}}</c>). The generator sees this
/// type at compile time and wires the scheduler into the loop.
/// </summary>
/// <param name="Optimizer">The optimizer.</param>
/// <param name="Scheduler">The scheduler and when it steps, or null.</param>
public sealed record OptimizerConfig(torch.optim.Optimizer Optimizer, SchedulerConfig? Scheduler = null);

/// <summary>A learning-rate scheduler and when the loop steps it (Lightning's scheduler config dict).</summary>
/// <param name="Scheduler">The TorchSharp scheduler, created for the configured optimizer.</param>
public sealed record SchedulerConfig(torch.optim.lr_scheduler.LRScheduler Scheduler)
{
    /// <summary>Step after every optimizer step (<see cref="SchedulerInterval.Step"/>) or at each epoch's end (the default).</summary>
    public SchedulerInterval Interval { get; init; } = SchedulerInterval.Epoch;

    /// <summary>Step every N intervals (batches within the epoch for Step, epochs for Epoch). Default 1.</summary>
    public int Frequency { get; init; } = 1;

    /// <summary>The metric a ReduceLROnPlateau scheduler reads; required for it, ignored otherwise.</summary>
    public string? Monitor { get; init; }

    /// <summary>The name LearningRateMonitor logs the rate under; null gives <c>lr-&lt;optimizer type&gt;</c>.</summary>
    public string? Name { get; init; }

    /// <summary>When the monitored metric is missing: true (default) fails, false skips the step.</summary>
    public bool Strict { get; init; } = true;

    internal bool IsPlateau => Scheduler is torch.optim.lr_scheduler.impl.ReduceLROnPlateau;

    /// <summary>The problem with this configuration, or null.</summary>
    internal string? Problem()
    {
        if (Scheduler is null)
        {
            return "SchedulerConfig.Scheduler is null";
        }

        if (Frequency < 1)
        {
            return $"SchedulerConfig.Frequency is {Frequency}; use 1 or more";
        }

        if (!Enum.IsDefined(Interval))
        {
            return $"SchedulerConfig.Interval is {(int)Interval}; use Step or Epoch";
        }

        if (IsPlateau && string.IsNullOrEmpty(Monitor))
        {
            return "ReduceLROnPlateau needs SchedulerConfig.Monitor: the metric whose plateau lowers the learning rate, e.g. Monitor = \"val_loss\"";
        }

        if (IsPlateau && Interval == SchedulerInterval.Step)
        {
            return "ReduceLROnPlateau with Interval = Step is not supported yet; use Interval = Epoch";
        }

        return null;
    }
}

/// <summary>When a scheduler steps (Lightning's <c>interval</c>).</summary>
public enum SchedulerInterval
{
    /// <summary>At the end of each training epoch.</summary>
    Epoch,

    /// <summary>After each optimizer step.</summary>
    Step,
}
