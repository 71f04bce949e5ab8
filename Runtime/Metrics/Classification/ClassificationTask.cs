using System;

namespace Volt.Metrics.Classification;

/// <summary>The three input shapes of classification metrics (torchmetrics' <c>task</c>).</summary>
public enum ClassificationKind
{
    /// <summary>One score or label per sample; target 0 or 1.</summary>
    Binary,

    /// <summary>Scores over C classes per sample (N×C) or one label per sample; target a class index.</summary>
    Multiclass,

    /// <summary>Scores or labels over L labels per sample (N×L); target 0 or 1 per label.</summary>
    Multilabel,
}

/// <summary>
/// What a classification metric classifies: the kind, the number of classes or labels, the threshold
/// that turns scores into labels, top-k, and the target value to ignore. Create it with
/// <see cref="Binary"/>, <see cref="Multiclass"/> or <see cref="Multilabel"/>.
/// </summary>
public sealed record ClassificationTask
{
    private ClassificationTask(ClassificationKind kind, int numClasses, double threshold, int topK, long? ignoreIndex)
    {
        Kind = kind;
        NumClasses = numClasses;
        Threshold = threshold;
        TopK = topK;
        IgnoreIndex = ignoreIndex;
    }

    /// <summary>The kind of input.</summary>
    public ClassificationKind Kind { get; }

    /// <summary>The number of classes (multiclass), labels (multilabel), or 2 (binary).</summary>
    public int NumClasses { get; }

    /// <summary>Scores above it count as positive (binary and multilabel); probabilities are compared, logits get a sigmoid first.</summary>
    public double Threshold { get; }

    /// <summary>Multiclass: a sample counts as correct when its target is among the k highest scores.</summary>
    public int TopK { get; }

    /// <summary>Samples (or multilabel elements) whose target equals this value are left out; null keeps all.</summary>
    public long? IgnoreIndex { get; }

    /// <summary>A binary task: preds are probabilities, logits (sigmoid applied when outside [0, 1]) or 0/1 labels.</summary>
    /// <param name="threshold">Probabilities above it are positive; in [0, 1].</param>
    /// <param name="ignoreIndex">A target value to leave out, or null.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threshold"/> is outside [0, 1].</exception>
    public static ClassificationTask Binary(double threshold = 0.5, long? ignoreIndex = null)
    {
        RequireThreshold(threshold);
        return new ClassificationTask(ClassificationKind.Binary, 2, threshold, 1, ignoreIndex);
    }

    /// <summary>A multiclass task: preds are N×C scores (argmax or top-k taken) or N class indices.</summary>
    /// <param name="numClasses">The number of classes; at least 2.</param>
    /// <param name="topK">Count a sample as correct when its target is among the k best scores; in [1, numClasses].</param>
    /// <param name="ignoreIndex">A target value to leave out (often -100), or null.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numClasses"/> or <paramref name="topK"/> is out of range.</exception>
    public static ClassificationTask Multiclass(int numClasses, int topK = 1, long? ignoreIndex = null)
    {
        if (numClasses < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses, "numClasses must be at least 2.");
        }

        if (topK < 1 || topK > numClasses)
        {
            throw new ArgumentOutOfRangeException(nameof(topK), topK, $"topK must be between 1 and numClasses ({numClasses}).");
        }

        return new ClassificationTask(ClassificationKind.Multiclass, numClasses, 0.5, topK, ignoreIndex);
    }

    /// <summary>A multilabel task: preds are N×L probabilities, logits (sigmoid applied when outside [0, 1]) or 0/1 labels.</summary>
    /// <param name="numLabels">The number of labels; at least 1.</param>
    /// <param name="threshold">Probabilities above it are positive; in [0, 1].</param>
    /// <param name="ignoreIndex">A target value to leave out (per element), or null.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numLabels"/> or <paramref name="threshold"/> is out of range.</exception>
    public static ClassificationTask Multilabel(int numLabels, double threshold = 0.5, long? ignoreIndex = null)
    {
        if (numLabels < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(numLabels), numLabels, "numLabels must be at least 1.");
        }

        RequireThreshold(threshold);
        return new ClassificationTask(ClassificationKind.Multilabel, numLabels, threshold, 1, ignoreIndex);
    }

    private static void RequireThreshold(double threshold)
    {
        if (!(threshold >= 0 && threshold <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "threshold must be in [0, 1].");
        }
    }
}
