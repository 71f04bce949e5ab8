using System;
using System.Linq;
using TorchSharp;
using Volt.Metrics;
using Volt.Metrics.Classification;
using Volt.Metrics.Regression;
using static TorchSharp.torch;
using static Volt.Runtime.Tests.Metrics.MetricAssert;

namespace Volt.Runtime.Tests.Metrics;

using Average = Volt.Metrics.Classification.Average;

/// <summary>AUROC and average precision against scikit-learn's examples and written-out definitions; the regression metrics by hand.</summary>
public sealed class RankingAndRegressionMetricTests
{
    private static double Run(Metric metric, Tensor preds, Tensor target)
    {
        using (metric)
        {
            metric.Update(preds, target);
            return Value(metric);
        }
    }

    [Fact]
    public void BinaryAurocAndAveragePrecisionMatchScikitLearnExamples()
    {
        using var scope = NewDisposeScope();

        // scikit-learn's roc_auc_score and average_precision_score docs: 0.75 and 0.8333.
        var scores = tensor(new float[] { 0.1f, 0.4f, 0.35f, 0.8f });
        var target = tensor(new long[] { 0, 0, 1, 1 });
        Close(0.75, Run(new AUROC(ClassificationTask.Binary()), scores, target), 1e-7);
        Close(0.5 + (0.5 * 2 / 3), Run(new AveragePrecision(ClassificationTask.Binary()), scores, target), 1e-7);

        // torchmetrics' docstring example: 0.5833.
        Close(7.0 / 12, Run(new AveragePrecision(ClassificationTask.Binary()), tensor(new float[] { 0, 0.5f, 0.7f, 0.8f }), tensor(new long[] { 0, 1, 1, 0 })), 1e-7);
    }

    [Fact]
    public void TiedScoresMoveTogether()
    {
        using var scope = NewDisposeScope();
        var allTied = tensor(new float[] { 0.5f, 0.5f, 0.5f, 0.5f });
        var target = tensor(new long[] { 0, 1, 0, 1 });
        Close(0.5, Run(new AUROC(ClassificationTask.Binary()), allTied, target), 1e-7);
        Close(0.5, Run(new AveragePrecision(ClassificationTask.Binary()), allTied, target), 1e-7);

        // Positives {0.6, 0.9}, negatives {0.2, 0.6}: pairs ranked right 1 + 0.5 + 1 + 1 of 4.
        var someTied = tensor(new float[] { 0.2f, 0.6f, 0.6f, 0.9f });
        var mixed = tensor(new long[] { 0, 0, 1, 1 });
        Close(0.875, Run(new AUROC(ClassificationTask.Binary()), someTied, mixed), 1e-7);

        // Thresholds 0.9 (P 1, R 1/2), 0.6 (P 2/3, R 1): AP = 1/2 + 1/2 · 2/3.
        Close(0.5 + (0.5 * 2 / 3), Run(new AveragePrecision(ClassificationTask.Binary()), someTied, mixed), 1e-7);
    }

    [Fact]
    public void RandomInputsMatchMannWhitneyAndScikitLearnsAveragePrecision()
    {
        var random = new Random(5);
        for (var trial = 0; trial < 4; trial++)
        {
            using var scope = NewDisposeScope();
            var n = 40 + (trial * 17);

            // Scores rounded to tenths, so ties are common.
            var scores = Enumerable.Range(0, n).Select(_ => Math.Round(random.NextDouble(), 1)).ToArray();
            var positive = Enumerable.Range(0, n).Select(_ => random.NextDouble() < 0.4).ToArray();
            var preds = tensor(scores.Select(s => (float)s).ToArray());
            var target = tensor(positive.Select(p => p ? 1L : 0L).ToArray());
            var floats = scores.Select(s => (double)(float)s).ToArray();
            Close(ReferenceMetrics.Auroc(floats, positive), Run(new AUROC(ClassificationTask.Binary()), preds, target), 1e-9, $"trial {trial}");
            Close(ReferenceMetrics.AveragePrecision(floats, positive), Run(new AveragePrecision(ClassificationTask.Binary()), preds, target), 1e-9, $"trial {trial}");
        }
    }

    [Fact]
    public void MulticlassIsOneVsRestPerClass()
    {
        using var scope = NewDisposeScope();
        var random = new Random(11);
        const int n = 60, classes = 4;
        var probabilities = new double[n, classes];
        var targets = new long[n];
        for (var i = 0; i < n; i++)
        {
            var row = Enumerable.Range(0, classes).Select(_ => random.NextDouble()).ToArray();
            for (var c = 0; c < classes; c++)
            {
                probabilities[i, c] = Math.Round(row[c] / row.Sum(), 2);
            }

            // Class 3 never occurs as a target.
            targets[i] = random.Next(classes - 1);
        }

        var preds = tensor(Enumerable.Range(0, n * classes).Select(k => (float)probabilities[k / classes, k % classes]).ToArray()).reshape(n, classes);
        var target = tensor(targets);
        double[] Column(int c) => Enumerable.Range(0, n).Select(i => (double)(float)probabilities[i, c]).ToArray();
        bool[] Positive(int c) => targets.Select(t => t == c).ToArray();
        var aucs = Enumerable.Range(0, classes).Select(c => ReferenceMetrics.Auroc(Column(c), Positive(c))).ToArray();
        var aps = Enumerable.Range(0, classes).Select(c => ReferenceMetrics.AveragePrecision(Column(c), Positive(c))).ToArray();
        var support = Enumerable.Range(0, classes).Select(c => (double)targets.Count(t => t == c)).ToArray();
        var task = ClassificationTask.Multiclass(classes);

        // A class without positives: AUROC 0 (torchmetrics), AP NaN and left out of the averages.
        using var perClassAuroc = new AUROC(task, Average.None);
        perClassAuroc.Update(preds, target);
        Close(aucs, Values(perClassAuroc), 1e-9);
        Close(aucs.Average(), Run(new AUROC(task), preds, target), 1e-9);
        Close(aucs.Zip(support, (a, s) => a * s).Sum() / support.Sum(), Run(new AUROC(task, Average.Weighted), preds, target), 1e-9);
        Assert.True(double.IsNaN(aps[3]));
        Close(aps.Take(3).Average(), Run(new AveragePrecision(task), preds, target), 1e-9);
        Close(aps.Take(3).Zip(support, (a, s) => a * s).Sum() / support.Sum(), Run(new AveragePrecision(task, Average.Weighted), preds, target), 1e-9);

        // Logits get a softmax per batch; an ignored target drops its sample.
        var logits = preds.mul(5).sub(2);
        Close(Run(new AUROC(task), logits.softmax(1), target), Run(new AUROC(task), logits, target), 1e-9);
        var ignoring = ClassificationTask.Multiclass(classes, ignoreIndex: -1);
        Close(aucs.Average(), Run(new AUROC(ignoring), cat([preds, preds.narrow(0, 0, 5)]), cat([target, full(5, -1L)])), 1e-9);
    }

    /// <summary>
    /// Six samples, three labels; ties in labels 0 (0.3) and 1 (0.7, 0.5); label 2 has no positives. The expected
    /// values are scikit-learn 1.2.1's, from this script (float32 scores, as the tensors hold them):
    /// <code>
    /// import numpy as np; from sklearn.metrics import roc_auc_score, average_precision_score
    /// p = np.array(MultilabelScores, dtype=np.float32).astype(np.float64); y = np.array(MultilabelTargets)
    /// [roc_auc_score(y[:, l], p[:, l]) for l in (0, 1)]                 # 0.72222, 0.55556
    /// [average_precision_score(y[:, l], p[:, l]) for l in (0, 1, 2)]    # 0.75556, 0.53333, 0 (warns)
    /// roc_auc_score(y, p, average="micro"); average_precision_score(y, p, average="micro")   # 0.65972, 0.43528
    /// k0 = [1, 2, 3, 4, 5]; k1 = [0, 1, 2, 4]   # the elements left when (0,0), (3,1), (5,1) are ignored
    /// roc_auc_score(y[k0, 0], p[k0, 0]), roc_auc_score(y[k1, 1], p[k1, 1])                     # 0.58333, 0.625
    /// average_precision_score(y[k0, 0], p[k0, 0]), average_precision_score(y[k1, 1], p[k1, 1]) # 0.5, 0.58333
    /// </code>
    /// By hand, label 0's AUROC: positives {0.9, 0.3, 0.6} against negatives {0.8, 0.3, 0.1} rank 3 + 1.5 + 2 of 9 pairs right.
    /// </summary>
    [Fact]
    public void MultilabelIsPerLabelAndMatchesScikitLearn()
    {
        using var scope = NewDisposeScope();
        float[] scores = [0.9f, 0.2f, 0.5f, 0.8f, 0.7f, 0.2f, 0.3f, 0.7f, 0.9f, 0.3f, 0.4f, 0.1f, 0.6f, 0.5f, 0.3f, 0.1f, 0.5f, 0.6f];
        long[] targets = [1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 1, 1, 0, 0, 0, 0];
        var preds = tensor(scores).reshape(6, 3);
        var target = tensor(targets).reshape(6, 3);
        var task = ClassificationTask.Multilabel(3);
        double[] aucs = [0.7222222222222222, 0.5555555555555556, 0];
        double[] aps = [0.7555555555555555, 0.5333333333333333, 0];
        double[] positives = [3, 3, 0];
        bool[] Positive(int label) => Enumerable.Range(0, 6).Select(i => targets[(3 * i) + label] == 1).ToArray();
        double[] Column(int label) => Enumerable.Range(0, 6).Select(i => (double)scores[(3 * i) + label]).ToArray();
        Close(aucs[0], ReferenceMetrics.Auroc(Column(0), Positive(0)), 1e-12, "Mann–Whitney label 0");
        Close(aps[1], ReferenceMetrics.AveragePrecision(Column(1), Positive(1)), 1e-12, "written-out AP label 1");

        // torchmetrics: a label without positives has AUROC 0 (its true-positive rate is taken as 0) and AP 0
        // (recall taken as 1, precision 0), both counted in the macro average (scikit-learn refuses the AUROC).
        using var perLabelAuroc = new AUROC(task, Average.None);
        perLabelAuroc.Update(preds, target);
        Close(aucs, Values(perLabelAuroc), 1e-7);
        using var perLabelAp = new AveragePrecision(task, Average.None);
        perLabelAp.Update(preds, target);
        Close(aps, Values(perLabelAp), 1e-7);
        Close(aucs.Average(), Run(new AUROC(task), preds, target), 1e-7);
        Close(aps.Average(), Run(new AveragePrecision(task), preds, target), 1e-7);
        Close(aucs.Zip(positives, (a, w) => a * w).Sum() / 6, Run(new AUROC(task, Average.Weighted), preds, target), 1e-7);
        Close(aps.Zip(positives, (a, w) => a * w).Sum() / 6, Run(new AveragePrecision(task, Average.Weighted), preds, target), 1e-7);
        Close(0.6597222222222222, Run(new AUROC(task, Average.Micro), preds, target), 1e-7);
        Close(0.43528138528138527, Run(new AveragePrecision(task, Average.Micro), preds, target), 1e-7);

        // The ignore index drops single elements, not samples; logits get a sigmoid; N×L×… is more samples.
        var ignoring = ClassificationTask.Multilabel(3, ignoreIndex: -1);
        var withIgnored = target.clone().index_put_(tensor(-1L), tensor(new long[] { 0, 3, 5 }), tensor(new long[] { 0, 1, 1 }));
        using var ignoredAuroc = new AUROC(ignoring, Average.None);
        ignoredAuroc.Update(preds, withIgnored);
        Close([0.5833333333333334, 0.625, 0], Values(ignoredAuroc), 1e-7);
        using var ignoredAp = new AveragePrecision(ignoring, Average.None);
        ignoredAp.Update(preds, withIgnored);
        Close([0.5, 0.5833333333333333, 0], Values(ignoredAp), 1e-7);
        Close(aucs.Average(), Run(new AUROC(task), preds.logit(), target), 1e-7);
        var (halves, halfTargets) = (preds.reshape(3, 2, 3).movedim([1L], [2L]), target.reshape(3, 2, 3).movedim([1L], [2L]));
        Close(aps.Average(), Run(new AveragePrecision(task), halves, halfTargets), 1e-7);

        // All of a label's elements ignored: NaN, left out of the averages.
        var allIgnored = target.clone();
        allIgnored.select(1, 2).fill_(-1);
        using var empty = new AUROC(ignoring, Average.None);
        empty.Update(preds, allIgnored);
        Assert.True(double.IsNaN(Values(empty)[2]));
        Close(aucs.Take(2).Average(), Run(new AUROC(ignoring), preds, allIgnored), 1e-7);
        Assert.Throws<ArgumentException>(() => new AUROC(ClassificationTask.Multiclass(3), Average.Micro));
        Assert.Throws<ArgumentException>(() => new AUROC(task).Update(preds, target.narrow(1, 0, 2)));
        var outside = Assert.Throws<InvalidOperationException>(() => Run(new AveragePrecision(task), preds, target.mul(2)));
        Assert.Contains("0 or 1", outside.Message);
    }

    [Fact]
    public void RegressionMetricsMatchScikitLearnsExample()
    {
        using var scope = NewDisposeScope();

        // scikit-learn's docs: MSE 0.375, MAE 0.5, R² 0.948608...
        var preds = tensor(new float[] { 2.5f, 0.0f, 2f, 8f });
        var target = tensor(new float[] { 3f, -0.5f, 2f, 7f });
        Close(0.375, Run(new MeanSquaredError(), preds, target), 1e-9);
        Close(Math.Sqrt(0.375), Run(new MeanSquaredError(squared: false), preds, target), 1e-9);
        Close(0.5, Run(new MeanAbsoluteError(), preds, target), 1e-9);
        var mean = (3 - 0.5 + 2 + 7) / 4.0;
        var total = new[] { 3, -0.5, 2, 7 }.Sum(y => (y - mean) * (y - mean));
        Close(1 - (1.5 / total), Run(new R2Score(), preds, target), 1e-9);
        Assert.Throws<ArgumentException>(() => new MeanSquaredError().Update(preds, target.reshape(2, 2)));
    }
}
