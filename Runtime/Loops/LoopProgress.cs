using System.Text.Json;
using Volt.Checkpoints;

namespace Volt.Loops;

/// <summary>
/// Every counter of the loops (Lightning keeps these as progress records: <c>src/lightning/pytorch/loops/progress.py</c>):
/// the epoch and global step, which live as long as the trainer, and the position within the running fit. The
/// trainer holds one instance across all its calls; the fit loop, the evaluation loop and the checkpoints read
/// and advance it. A checkpoint stores it in its manifest's <c>loop</c> object (<see cref="Write"/>,
/// <see cref="ReadResumePoint"/>).
/// </summary>
internal sealed class LoopProgress
{
    /// <summary>The manifest object the counters are saved in.</summary>
    public const string ManifestObject = "loop";

    /// <summary>The 0-based epoch in progress, or the number of completed epochs after a fit.</summary>
    public int CurrentEpoch { get; private set; }

    /// <summary>The number of optimizer steps taken.</summary>
    public long GlobalStep { get; private set; }

    /// <summary>The batch index the current epoch started at: 0, or after a mid-epoch resume the batch after the last one the checkpoint saw.</summary>
    public int FirstBatchIndex { get; private set; }

    /// <summary>The index of the next training batch of <see cref="CurrentEpoch"/> (what a checkpoint resumes from).</summary>
    public int NextBatchIndex { get; private set; }

    /// <summary>The batch index the next epoch starts at: set by a resume, used by the first epoch after it.</summary>
    public int ResumeBatchIndex { get; private set; }

    /// <summary>Training batches run in this fit, across epochs (accumulating ones included).</summary>
    public long TotalTrainBatches { get; private set; }

    /// <summary>The number of training batches the current epoch runs.</summary>
    public int TrainBatchesThisEpoch { get; private set; }

    /// <summary>True once the training batches of <see cref="CurrentEpoch"/> and its validation are done (a checkpoint then resumes at the next epoch).</summary>
    public bool EpochFinished { get; private set; }

    /// <summary>Starts a fit: the position within a fit starts over; epoch and global step carry on from earlier calls.</summary>
    public void StartFit()
    {
        FirstBatchIndex = 0;
        NextBatchIndex = 0;
        ResumeBatchIndex = 0;
        TotalTrainBatches = 0;
        TrainBatchesThisEpoch = 0;
        EpochFinished = false;
    }

    /// <summary>Moves to where a checkpoint left off; the next epoch starts at its saved batch.</summary>
    public void ResumeFrom(ResumePoint point)
    {
        CurrentEpoch = point.Epoch;
        GlobalStep = point.GlobalStep;
        ResumeBatchIndex = point.BatchIndex;
    }

    /// <summary>Starts an epoch at the resume batch, or at 0.</summary>
    public void StartEpoch()
    {
        FirstBatchIndex = ResumeBatchIndex;
        ResumeBatchIndex = 0;
        NextBatchIndex = FirstBatchIndex;
        EpochFinished = false;
    }

    /// <summary>Records how many training batches the epoch runs, once its data is open.</summary>
    public void SetEpochLength(int batches) => TrainBatchesThisEpoch = batches;

    /// <summary>Counts training batch <paramref name="batchIndex"/> as done.</summary>
    public void CompleteBatch(int batchIndex)
    {
        TotalTrainBatches++;
        NextBatchIndex = batchIndex + 1;
    }

    /// <summary>Counts one optimizer step.</summary>
    public void CompleteOptimizerStep() => GlobalStep++;

    /// <summary>
    /// Called when a validation run inside fit ends: it closes the epoch's training part when every training
    /// batch of the epoch has run, so a checkpoint written now resumes at the next epoch.
    /// </summary>
    public void CompleteValidation() => EpochFinished = NextBatchIndex >= TrainBatchesThisEpoch;

    /// <summary>Marks the epoch's training and validation done (for the epoch-end callbacks and their checkpoints).</summary>
    public void FinishEpoch() => EpochFinished = true;

    /// <summary>Moves to the next epoch.</summary>
    public void AdvanceEpoch()
    {
        CurrentEpoch++;
        EpochFinished = false;
    }

    /// <summary>Writes the <c>loop</c> object of a checkpoint manifest (the layout every format-2 checkpoint has).</summary>
    public void Write(Utf8JsonWriter writer)
    {
        writer.WriteStartObject(ManifestObject);
        writer.WriteNumber("epoch", CurrentEpoch);
        writer.WriteNumber("globalStep", GlobalStep);
        writer.WriteNumber("nextBatchIndex", NextBatchIndex);
        writer.WriteBoolean("epochFinished", EpochFinished);
        writer.WriteEndObject();
    }

    /// <summary>
    /// Reads where a checkpoint resumes: the epoch after the saved one when that epoch had finished, else the
    /// saved epoch at its next batch. Nothing changes here; <see cref="ResumeFrom"/> applies the result.
    /// </summary>
    /// <exception cref="System.IO.InvalidDataException">A field is missing or of the wrong type; the message names it.</exception>
    public static ResumePoint ReadResumePoint(CheckpointReader checkpoint)
    {
        var loop = ManifestFields.Object(checkpoint, checkpoint.Root, ManifestObject);
        var epoch = ManifestFields.Int32(checkpoint, loop, "loop.epoch");
        var finished = ManifestFields.Boolean(checkpoint, loop, "loop.epochFinished");
        var nextBatchIndex = finished ? 0 : ManifestFields.Int32(checkpoint, loop, "loop.nextBatchIndex");
        var globalStep = ManifestFields.Int64(checkpoint, loop, "loop.globalStep");
        return new ResumePoint(finished ? epoch + 1 : epoch, globalStep, nextBatchIndex);
    }
}

/// <summary>Where a resumed fit continues.</summary>
/// <param name="Epoch">The epoch it runs first.</param>
/// <param name="GlobalStep">The optimizer steps already taken.</param>
/// <param name="BatchIndex">The batch of <paramref name="Epoch"/> it starts at.</param>
internal readonly record struct ResumePoint(int Epoch, long GlobalStep, int BatchIndex);
