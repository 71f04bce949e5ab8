using System;
using System.Linq;
using TorchSharp;
using Volt.Metrics;
using Volt.Metrics.Classification;
using static TorchSharp.torch;
using static Volt.Runtime.Tests.Metrics.MetricAssert;
using static Volt.Runtime.Tests.Metrics.ReferenceMetrics;
using Average = Volt.Metrics.Classification.Average;

namespace Volt.Runtime.Tests.Metrics;

using Precision = Volt.Metrics.Classification.Precision;

/// <summary>Accuracy, precision, recall, F-beta and the confusion matrix against hand-computed values and written-out definitions.</summary>
public sealed class ClassificationMetricTests
{
    // Six samples, three classes. Confusion (rows target, columns prediction): [1 1 0; 0 2 0; 1 0 1],
    // so tp = [1 2 1], fp = [1 1 0], fn = [1 0 1]. Sample 0's scores tie between classes 0 and 1: argmax takes the first.
    private static readonly float[,] Scores =
    {
        { 0.5f, 0.5f, 0.1f }, { 0.1f, 0.8f, 0.1f }, { 0.2f, 0.7f, 0.1f },
        { 0.3f, 0.6f, 0.1f }, { 0.6f, 0.3f, 0.1f }, { 0.1f, 0.2f, 0.7f },
    };

    private static readonly long[] Targets = [0, 0, 1, 1, 2, 2];

    private static Tensor ScoreTensor(float[,] scores, int classes = 3)
    {
        var n = scores.GetLength(0);
        var padded = new float[n * classes];
        for (var i = 0; i < n; i++)
        {
            for (var c = 0; c < scores.GetLength(1); c++)
            {
                padded[(i * classes) + c] = scores[i, c];
            }
        }

        return tensor(padded).reshape(n, classes);
    }

    private static double Run(Metric metric, Tensor preds, Tensor target)
    {
        using (metric)
        {
            metric.Update(preds, target);
            return Value(metric);
        }
    }

    [Fact]
    public void MulticlassScoresMatchHandComputedValues()
    {
        using var scope = NewDisposeScope();
        var preds = ScoreTensor(Scores);
        var target = tensor(Targets);
        var task = ClassificationTask.Multiclass(3);

        Close(4.0 / 6, Run(new Accuracy(task), preds, target));
        Close((0.5 + 1 + 0.5) / 3, Run(new Accuracy(task, Average.Macro), preds, target));
        Close((0.5 + 2.0 / 3 + 1) / 3, Run(new Precision(task, Average.Macro), preds, target));
        Close(4.0 / 6, Run(new Precision(task), preds, target));
        Close((0.5 + 1 + 0.5) / 3, Run(new Recall(task, Average.Macro), preds, target));
        Close((0.5 + 0.8 + 2.0 / 3) / 3, Run(new F1Score(task, Average.Macro), preds, target));
        Close((0.5 + 0.8 + 2.0 / 3) / 3, Run(new F1Score(task, Average.Weighted), preds, target));
        Close(4.0 / 6, Run(new F1Score(task), preds, target));

        // F2 per class = 5tp / (5tp + 4fn + fp): 5/10, 10/11, 5/9.
        Close((0.5 + 10.0 / 11 + 5.0 / 9) / 3, Run(new FBetaScore(task, 2.0, Average.Macro), preds, target));
        using var perClass = new F1Score(task, Average.None);
        perClass.Update(preds, target);
        Close([0.5, 0.8, 2.0 / 3], Values(perClass));
    }

    [Fact]
    public void AnEmptyClassIsLeftOutOfMacroAveragesAndScoresZeroPerClass()
    {
        using var scope = NewDisposeScope();
        var preds = ScoreTensor(Scores, classes: 4);
        var target = tensor(Targets);
        var task = ClassificationTask.Multiclass(4);

        Close((0.5 + 0.8 + 2.0 / 3) / 3, Run(new F1Score(task, Average.Macro), preds, target));
        Close((0.5 + 2.0 / 3 + 1) / 3, Run(new Precision(task, Average.Macro), preds, target));
        using var perClass = new Recall(task, Average.None);
        perClass.Update(preds, target);
        Close([0.5, 1, 0.5, 0], Values(perClass));
    }

    [Fact]
    public void IgnoredTargetsAreLeftOut()
    {
        using var scope = NewDisposeScope();
        var extra = new float[,] { { 0.9f, 0.05f, 0.05f }, { 0.05f, 0.05f, 0.9f } };
        var preds = cat([ScoreTensor(Scores), ScoreTensor(extra)], 0);
        var target = tensor(Targets.Concat([-100L, 1L]).ToArray());
        var task = ClassificationTask.Multiclass(3, ignoreIndex: -100);

        // The -100 sample is dropped; the last one (target 1, predicted 2) counts: tp = [1 2 1], fp = [1 1 1], fn = [1 1 1].
        Close(4.0 / 7, Run(new Accuracy(task), preds, target));
        Close((0.5 + 2.0 / 3 + 2.0 / 4) / 3, Run(new F1Score(task, Average.Macro), preds, target));

        // An ignore index inside the class range drops those samples too.
        var inRange = ClassificationTask.Multiclass(3, ignoreIndex: 2);
        Close(3.0 / 5, Run(new Accuracy(inRange), preds.narrow(0, 0, 7), tensor(Targets.Append(1L).ToArray())));
    }

    [Fact]
    public void TopKCountsATargetAmongTheKBestScores()
    {
        using var scope = NewDisposeScope();
        var preds = tensor(new float[] { 0.6f, 0.3f, 0.1f, 0.1f, 0.2f, 0.7f, 0.2f, 0.5f, 0.3f, 0.9f, 0.05f, 0.05f }).reshape(4, 3);
        var target = tensor(new long[] { 1, 0, 2, 0 });

        Close(0.25, Run(new Accuracy(ClassificationTask.Multiclass(3)), preds, target));
        Close(0.75, Run(new Accuracy(ClassificationTask.Multiclass(3, topK: 2)), preds, target));

        // torchmetrics' refinement: the prediction becomes the target when it is in the top 2, else the best class.
        // Refined predictions [1 2 2 0]: recall per class [1/2, 1, 1] (class 0 has targets 0 twice, one hit).
        Close((0.5 + 1 + 1) / 3, Run(new Recall(ClassificationTask.Multiclass(3, topK: 2), Average.Macro), preds, target));
        Close(1.0, Run(new Accuracy(ClassificationTask.Multiclass(3, topK: 3)), preds, target));
    }

    [Fact]
    public void IndexPredictionsWorkLikeScores()
    {
        using var scope = NewDisposeScope();
        var labels = tensor(new long[] { 0, 1, 1, 1, 0, 2 });
        Close((0.5 + 0.8 + 2.0 / 3) / 3, Run(new F1Score(ClassificationTask.Multiclass(3), Average.Macro), labels, tensor(Targets)));
    }

    [Fact]
    public void RandomMulticlassInputsMatchTheWrittenOutDefinitions()
    {
        var random = new Random(17);
        foreach (var (classes, n, ignore) in new[] { (2, 50, (int?)null), (5, 200, null), (7, 120, 3), (4, 3, null) })
        {
            using var scope = NewDisposeScope();
            var scores = RandomScores(random, n, classes);
            var target = Range(n).Select(_ => random.Next(classes)).ToArray();
            var predicted = Argmax(scores);
            var (tp, fp, _, fn) = Counts(predicted, target, classes, ignore);
            var task = ClassificationTask.Multiclass(classes, ignoreIndex: ignore);
            var preds = ScoreTensor(scores, classes);
            var targets = tensor(target.Select(t => (long)t).ToArray());
            var what = $"C={classes} n={n} ignore={ignore}";

            var micro = Divide(tp.Sum(), tp.Sum() + fn.Sum());
            Close(micro, Run(new Accuracy(task), preds, targets), what: what);
            Close(micro, Run(new F1Score(task), preds, targets), what: what);
            foreach (var average in new[] { Average.Macro, Average.Weighted })
            {
                var precision = PerClass(c => Divide(tp[c], tp[c] + fp[c]), classes);
                var recall = PerClass(c => Divide(tp[c], tp[c] + fn[c]), classes);
                var f1 = PerClass(c => Divide(2 * precision[c] * recall[c], precision[c] + recall[c]), classes);
                var fHalf = PerClass(c => FBeta(tp[c], fp[c], fn[c], 0.5), classes);
                Close(Averaged(precision, average, tp, fp, fn), Run(new Precision(task, average), preds, targets), what: what);
                Close(Averaged(recall, average, tp, fp, fn), Run(new Recall(task, average), preds, targets), what: what);
                Close(Averaged(recall, average, tp, fp, fn), Run(new Accuracy(task, average), preds, targets), what: what);
                Close(Averaged(f1, average, tp, fp, fn), Run(new F1Score(task, average), preds, targets), what: what);
                Close(Averaged(fHalf, average, tp, fp, fn), Run(new FBetaScore(task, 0.5, average), preds, targets), what: what);
            }
        }
    }

    [Fact]
    public void BinaryScoresThresholdProbabilitiesAndLogits()
    {
        using var scope = NewDisposeScope();
        var probabilities = tensor(new float[] { 0.1f, 0.6f, 0.4f, 0.9f, 0.5f });
        var target = tensor(new long[] { 0, 1, 1, 1, 0 });
        var task = ClassificationTask.Binary();

        // Above 0.5 (strictly): labels [0 1 0 1 0] → tp 2, fn 1, tn 2, fp 0.
        Close(0.8, Run(new Accuracy(task), probabilities, target));
        Close(1.0, Run(new Precision(task), probabilities, target));
        Close(2.0 / 3, Run(new Recall(task), probabilities, target));
        Close(0.8, Run(new F1Score(task, Average.Macro), probabilities, target));

        // Logits outside [0, 1] get a sigmoid first: the same labels.
        var logits = probabilities.logit();
        Close(0.8, Run(new Accuracy(task), logits, target));
        Close(0.6, Run(new Accuracy(ClassificationTask.Binary(threshold: 0.45)), probabilities, target));
        Close(0.8, Run(new F1Score(ClassificationTask.Binary(ignoreIndex: -1)), cat([probabilities, tensor(new[] { 0.9f })]), cat([target, tensor(new[] { -1L })])));
    }

    [Fact]
    public void MultilabelScoresAreComputedPerLabel()
    {
        using var scope = NewDisposeScope();
        var preds = tensor(new float[] { 0.9f, 0.2f, 0.3f, 0.8f, 0.6f, 0.4f }).reshape(3, 2);
        var target = tensor(new long[] { 1, 0, 1, 1, 0, 0 }).reshape(3, 2);
        var task = ClassificationTask.Multilabel(2);

        // Label 0: predicted [1 0 1], target [1 1 0] → tp 1, fn 1, fp 1, tn 0. Label 1: predicted = target [0 1 0].
        Close((1.0 / 3 + 1) / 2, Run(new Accuracy(task, Average.Macro), preds, target));
        Close(4.0 / 6, Run(new Accuracy(task), preds, target));
        Close((0.5 + 1) / 2, Run(new F1Score(task, Average.Macro), preds, target));
        Close(4.0 / 6, Run(new F1Score(task), preds, target));
        Close((0.5 * 2 + 1 * 1) / 3, Run(new F1Score(task, Average.Weighted), preds, target));

        // An ignored element leaves its label's counts: ignoring label 0 of sample 2 (a false positive) gives label 0 F1 = 2/3.
        var ignored = tensor(new long[] { 1, 0, 1, 1, -1, 0 }).reshape(3, 2);
        Close((2.0 / 3 + 1) / 2, Run(new F1Score(ClassificationTask.Multilabel(2, ignoreIndex: -1), Average.Macro), preds, ignored));
    }

    [Fact]
    public void ConfusionMatrixCountsAndNormalizes()
    {
        using var scope = NewDisposeScope();
        var preds = ScoreTensor(Scores, classes: 4);
        var target = tensor(Targets);
        var task = ClassificationTask.Multiclass(4);
        double[] Matrix(ConfusionMatrixNormalization normalize)
        {
            using var metric = new ConfusionMatrix(task, normalize);
            metric.Update(preds, target);
            return Values(metric);
        }

        Close([1, 1, 0, 0, 0, 2, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0], Matrix(ConfusionMatrixNormalization.None));
        Close([0.5, 0.5, 0, 0, 0, 1, 0, 0, 0.5, 0, 0.5, 0, 0, 0, 0, 0], Matrix(ConfusionMatrixNormalization.True));
        Close([0.5, 1.0 / 3, 0, 0, 0, 2.0 / 3, 0, 0, 0.5, 0, 1, 0, 0, 0, 0, 0], Matrix(ConfusionMatrixNormalization.Pred));
        Close(new double[] { 1, 1, 0, 0, 0, 2, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0 }.Select(v => v / 6.0).ToArray(), Matrix(ConfusionMatrixNormalization.All));

        using var binary = new ConfusionMatrix(ClassificationTask.Binary());
        binary.Update(tensor(new float[] { 0.1f, 0.6f, 0.4f, 0.9f, 0.5f }), tensor(new long[] { 0, 1, 1, 1, 0 }));
        Close([2, 0, 1, 2], Values(binary));
        using var multilabel = new ConfusionMatrix(ClassificationTask.Multilabel(2));
        multilabel.Update(tensor(new float[] { 0.9f, 0.2f, 0.3f, 0.8f, 0.6f, 0.4f }).reshape(3, 2), tensor(new long[] { 1, 0, 1, 1, 0, 0 }).reshape(3, 2));
        Close([0, 1, 1, 1, 2, 0, 0, 1], Values(multilabel));
    }

    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.Float64)]
    public void CountingInManagedCodeTakesTorchsArgmax(ScalarType dtype)
    {
        // Scores with many ties, NaNs (torch.argmax takes the first NaN) and all-minus-infinity rows: the confusion
        // matrix of contiguous scores (counted in managed code) equals libtorch's argmax on the same scores, and
        // the same scores as a strided view (counted by libtorch).
        using var scope = NewDisposeScope();
        const int classes = 7;
        using var generator = new Generator(11);
        var scores = randn([300, classes], generator: generator).mul(1.5).floor().to(dtype);
        var nan = rand([300, classes], generator: generator).lt(0.05);
        scores.masked_fill_(nan, double.NaN);
        scores[5] = full(classes, double.NegativeInfinity, dtype);
        scores[6] = full(classes, double.NaN, dtype);
        var targets = randint(0, classes, [300], generator: generator);
        Assert.True(scores.is_contiguous());

        using var contiguous = new ConfusionMatrix(ClassificationTask.Multiclass(classes));
        contiguous.Update(scores, targets);
        using var strided = new ConfusionMatrix(ClassificationTask.Multiclass(classes));
        var view = scores.t().contiguous().t();
        Assert.False(view.is_contiguous());
        strided.Update(view, targets);

        var expected = zeros([classes, classes], ScalarType.Int64);
        var labels = scores.argmax(1);
        for (var i = 0; i < 300; i++)
        {
            expected[targets[i].item<long>(), labels[i].item<long>()] += 1;
        }

        Assert.Equal(expected.data<long>().ToArray(), contiguous.Compute().to(ScalarType.Int64).data<long>().ToArray());
        Assert.Equal(expected.data<long>().ToArray(), strided.Compute().to(ScalarType.Int64).data<long>().ToArray());
    }

    [Fact]
    public void BadInputIsNamed()
    {
        using var scope = NewDisposeScope();
        using var accuracy = new Accuracy(ClassificationTask.Multiclass(3));
        var shape = Assert.Throws<ArgumentException>(() => accuracy.Update(zeros(4, 5), zeros(4, ScalarType.Int64)));
        Assert.Contains("N×3", shape.Message);
        // Scores on the CPU: a target outside [0, C) fails the update itself, named, and nothing is counted.
        var negative = Assert.Throws<ArgumentException>(() => accuracy.Update(zeros(2, 3), tensor(new long[] { 0, -1 })));
        Assert.Contains("-1 at position 1", negative.Message);
        var tooLarge = Assert.Throws<ArgumentException>(() => accuracy.Update(zeros(2, 3), tensor(new long[] { 0, 3 })));
        Assert.Contains("3 at position 1", tooLarge.Message);
        Assert.Contains("[0, 3)", tooLarge.Message);
        Assert.Equal(0, accuracy.UpdateCount);
        accuracy.Update(zeros(2, 3), tensor(new long[] { 0, 2 }));
        Assert.Equal(0.5, accuracy.Compute().item<double>(), 12);

        // Scores that are not one contiguous N×C block take libtorch's path, which rejects the same way.
        using var strided = new Accuracy(ClassificationTask.Multiclass(3));
        var transposed = Assert.Throws<ArgumentException>(() => strided.Update(zeros(3, 2).t(), tensor(new long[] { 0, 3 })));
        Assert.Contains("3 at position 1", transposed.Message);
        Assert.Equal(0, strided.UpdateCount);
        strided.Update(zeros(3, 2).t(), tensor(new long[] { 0, 2 }));
        Assert.Equal(0.5, strided.Compute().item<double>(), 12);

        // With an ignore index (the general path) a bad target is counted aside without a host read, and compute names it.
        using var ignoring = new Accuracy(ClassificationTask.Multiclass(3, ignoreIndex: -100));
        ignoring.Update(zeros(3, 3), tensor(new long[] { 0, 3, -100 }));
        var outside = Assert.Throws<InvalidOperationException>(() => ignoring.Compute());
        Assert.Contains("[0, 3)", outside.Message);
        Assert.Contains(": 1;", outside.Message);
        using var negativeIgnoring = new Accuracy(ClassificationTask.Multiclass(3, ignoreIndex: -100));
        negativeIgnoring.Update(zeros(2, 3), tensor(new long[] { -1, 0 }));
        Assert.Throws<InvalidOperationException>(() => negativeIgnoring.Compute());

        using var labels = new Accuracy(ClassificationTask.Multiclass(3));
        labels.Update(tensor(new long[] { 0, 5 }), tensor(new long[] { 0, 1 }));
        Assert.Throws<InvalidOperationException>(() => labels.Compute());

        // A negative predicted label of a later class's sample is counted aside too, not in a neighbouring bin.
        using var negativeLabel = new Accuracy(ClassificationTask.Multiclass(3));
        negativeLabel.Update(tensor(new long[] { -2 }), tensor(new long[] { 1 }));
        Assert.Throws<InvalidOperationException>(() => negativeLabel.Compute());
        Assert.Throws<ArgumentOutOfRangeException>(() => ClassificationTask.Multiclass(3, topK: 4));
        Assert.Throws<ArgumentException>(() => new Accuracy(ClassificationTask.Multiclass(3)).Update(zeros(2, 3), zeros(2)));
    }
}
