namespace Volt.Tuning;

/// <summary>One trial of the batch-size finder: a few training steps at one batch size.</summary>
/// <param name="BatchSize">The batch size tried.</param>
/// <param name="Fits">True when the steps ran; false when they ran out of memory.</param>
/// <param name="PeakStepBytes">
/// The largest <see cref="StepTensorBytes"/> measure over the trial's steps (up to the one that broke the memory
/// limit); null when the trial failed before a step finished (a real out-of-memory error).
/// </param>
/// <param name="Failure">The out-of-memory message when <paramref name="Fits"/> is false.</param>
public sealed record BatchSizeTrial(int BatchSize, bool Fits, long? PeakStepBytes, string? Failure);
