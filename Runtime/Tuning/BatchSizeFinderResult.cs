using System.Collections.Generic;

namespace Volt.Tuning;

/// <summary>What <see cref="Tuner.ScaleBatchSize"/> found: the batch size and every trial that led to it.</summary>
/// <param name="BatchSize">The largest batch size that fit (in binary-search mode reduced by the margin).</param>
/// <param name="Mode">The search mode.</param>
/// <param name="Trials">The trials in the order they ran.</param>
public sealed record BatchSizeFinderResult(int BatchSize, BatchSizeScalingMode Mode, IReadOnlyList<BatchSizeTrial> Trials);
