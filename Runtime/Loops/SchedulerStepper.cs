using System;
using System.Collections.Generic;
using System.Linq;

namespace Volt.Loops;

/// <summary>
/// Steps the learning-rate schedulers of a fit by Lightning's rules (<c>src/lightning/pytorch/loops/training_epoch_loop.py</c>,
/// <c>update_lr_schedulers</c>): step-interval schedulers after an optimizer step when (batch index + 1) % frequency
/// == 0; epoch-interval ones after the epoch's last optimizer step when (epoch + 1) % frequency == 0; ReduceLROnPlateau
/// at the epoch's end with its monitored metric. Under manual optimization the step steps its schedulers itself, so
/// nothing steps here. Each scheduler's step count is kept: checkpoints save it and a resume replays it.
/// </summary>
internal sealed class SchedulerStepper
{
    private readonly List<ScheduledOptimizer> scheduled = [];

    /// <summary>The schedulers in the order they were attached, with their step counts.</summary>
    public IReadOnlyList<ScheduledOptimizer> Scheduled => scheduled;

    /// <summary>True under manual optimization: the training step steps its schedulers.</summary>
    public bool ManualOptimization { get; set; }

    /// <summary>Adds the scheduler of optimizer <paramref name="optimizerIndex"/>.</summary>
    public void Add(SchedulerConfig config, int optimizerIndex) => scheduled.Add(new ScheduledOptimizer(config, optimizerIndex));

    /// <summary>The scheduler configuration of optimizer <paramref name="optimizerIndex"/>, or null.</summary>
    public SchedulerConfig? ConfigOf(int optimizerIndex) => scheduled.FirstOrDefault(s => s.OptimizerIndex == optimizerIndex)?.Config;

    /// <summary>Forgets every scheduler (the fit ended).</summary>
    public void Clear()
    {
        scheduled.Clear();
        ManualOptimization = false;
    }

    /// <summary>Steps the step- and epoch-interval schedulers that are due after the optimizer stepped on batch <paramref name="batchIndex"/>.</summary>
    /// <param name="epoch">The 0-based epoch.</param>
    /// <param name="batchIndex">The 0-based batch index within the epoch.</param>
    /// <param name="lastBatch">True on the epoch's last batch.</param>
    public void AfterOptimizerStep(int epoch, int batchIndex, bool lastBatch)
    {
        if (ManualOptimization)
        {
            return;
        }

        foreach (var entry in scheduled)
        {
            var config = entry.Config;
            if (config.IsPlateau)
            {
                continue;
            }

            var due = config.Interval == SchedulerInterval.Step
                ? (batchIndex + 1) % config.Frequency == 0
                : lastBatch && (epoch + 1) % config.Frequency == 0;
            if (due)
            {
                config.Scheduler.step();
                entry.Steps++;
            }
        }
    }

    /// <summary>Steps the ReduceLROnPlateau schedulers due at the end of epoch <paramref name="epoch"/> with their monitored metric.</summary>
    /// <param name="epoch">The 0-based epoch.</param>
    /// <param name="metrics">The latest logged metrics (Lightning's <c>callback_metrics</c>).</param>
    /// <exception cref="InvalidOperationException">A strict scheduler's metric was not logged; the message lists what was.</exception>
    public void AtEpochEnd(int epoch, IReadOnlyDictionary<string, double> metrics)
    {
        if (ManualOptimization)
        {
            return;
        }

        foreach (var entry in scheduled)
        {
            var config = entry.Config;
            if (!config.IsPlateau || (epoch + 1) % config.Frequency != 0)
            {
                continue;
            }

            if (!metrics.TryGetValue(config.Monitor!, out var value))
            {
                if (config.Strict)
                {
                    throw new InvalidOperationException(
                        $"ReduceLROnPlateau monitors '{config.Monitor}', which was not logged by the end of epoch {epoch}. Logged metrics: "
                        + string.Join(", ", metrics.Keys.Order(StringComparer.Ordinal)) + ". Log it, or set SchedulerConfig.Strict = false to skip such steps.");
                }

                continue;
            }

            config.Scheduler.step(value);
            entry.Steps++;
        }
    }

    /// <summary>
    /// Resume: brings scheduler <paramref name="index"/> to <paramref name="steps"/> saved steps by replaying them from
    /// the initial rates (TorchSharp schedulers have no state_dict). ReduceLROnPlateau depends on the metric history,
    /// which cannot be replayed; its learning rate comes back with the optimizer state.
    /// </summary>
    public void Replay(int index, int steps)
    {
        var entry = scheduled[index];
        if (!entry.Config.IsPlateau)
        {
            for (var step = 0; step < steps; step++)
            {
                entry.Config.Scheduler.step();
            }
        }

        entry.Steps = steps;
    }
}

/// <summary>A scheduler the loop steps, and its step count.</summary>
internal sealed class ScheduledOptimizer(SchedulerConfig config, int optimizerIndex)
{
    public SchedulerConfig Config { get; } = config;

    public int OptimizerIndex { get; } = optimizerIndex;

    public int Steps { get; set; }
}
