using System;
using System.Collections.Generic;
using System.Linq;
using Volt.Metrics.Classification;

namespace Volt.Runtime.Tests.Metrics;

/// <summary>
/// Classification metrics written out from their definitions (scikit-learn's, with torchmetrics' macro
/// rule) with plain loops over label arrays, independent of the tensor implementation under test.
/// </summary>
internal static class ReferenceMetrics
{
    /// <summary>Per-class counts from predicted and true labels; samples whose target is <paramref name="ignore"/> are skipped.</summary>
    public static (double[] Tp, double[] Fp, double[] Tn, double[] Fn) Counts(int[] predicted, int[] target, int classes, int? ignore = null)
    {
        double[] tp = new double[classes], fp = new double[classes], fn = new double[classes], tn = new double[classes];
        var n = 0;
        for (var i = 0; i < target.Length; i++)
        {
            if (ignore is { } skip && target[i] == skip)
            {
                continue;
            }

            n++;
            if (predicted[i] == target[i])
            {
                tp[target[i]]++;
            }
            else
            {
                fp[predicted[i]]++;
                fn[target[i]]++;
            }
        }

        for (var c = 0; c < classes; c++)
        {
            tn[c] = n - tp[c] - fp[c] - fn[c];
        }

        return (tp, fp, tn, fn);
    }

    public static double Divide(double a, double b) => b == 0 ? 0 : a / b;

    /// <summary>Averages per-class scores: macro over classes present in predictions or targets, weighted by support.</summary>
    public static double Averaged(double[] perClass, Average average, double[] tp, double[] fp, double[] fn, bool presentByTargetOnly = false)
    {
        var weights = Enumerable.Range(0, perClass.Length).Select(c => average switch
        {
            Volt.Metrics.Classification.Average.Weighted => tp[c] + fn[c],
            _ => (presentByTargetOnly ? tp[c] + fn[c] : tp[c] + fp[c] + fn[c]) > 0 ? 1.0 : 0.0,
        }).ToArray();
        return Divide(perClass.Zip(weights, (s, w) => s * w).Sum(), weights.Sum());
    }

    public static double[] PerClass(Func<int, double> score, int classes) => Enumerable.Range(0, classes).Select(score).ToArray();

    public static double FBeta(double tp, double fp, double fn, double beta)
        => Divide((1 + beta * beta) * tp, (1 + beta * beta) * tp + beta * beta * fn + fp);

    /// <summary>ROC AUC as the Mann–Whitney statistic: the share of (positive, negative) pairs ranked right, ties counting half.</summary>
    public static double Auroc(double[] scores, bool[] positive)
    {
        double pairs = 0, right = 0;
        for (var i = 0; i < scores.Length; i++)
        {
            for (var j = 0; j < scores.Length; j++)
            {
                if (positive[i] && !positive[j])
                {
                    pairs++;
                    right += scores[i] > scores[j] ? 1 : scores[i] == scores[j] ? 0.5 : 0;
                }
            }
        }

        return pairs == 0 ? 0 : right / pairs;
    }

    /// <summary>scikit-learn's average_precision_score: Σ (Rₖ − Rₖ₋₁)·Pₖ over distinct thresholds from high to low.</summary>
    public static double AveragePrecision(double[] scores, bool[] positive)
    {
        var positives = positive.Count(p => p);
        if (positives == 0)
        {
            return double.NaN;
        }

        double ap = 0, previousRecall = 0;
        foreach (var threshold in scores.Distinct().OrderByDescending(s => s))
        {
            var tp = scores.Where((s, i) => s >= threshold && positive[i]).Count();
            var predictedPositive = scores.Count(s => s >= threshold);
            var recall = (double)tp / positives;
            ap += (recall - previousRecall) * tp / predictedPositive;
            previousRecall = recall;
        }

        return ap;
    }

    public static int[] Argmax(float[,] scores)
    {
        var result = new int[scores.GetLength(0)];
        for (var i = 0; i < result.Length; i++)
        {
            var best = 0;
            for (var c = 1; c < scores.GetLength(1); c++)
            {
                if (scores[i, c] > scores[i, best])
                {
                    best = c;
                }
            }

            result[i] = best;
        }

        return result;
    }

    public static float[,] RandomScores(Random random, int n, int classes)
    {
        var scores = new float[n, classes];
        for (var i = 0; i < n; i++)
        {
            for (var c = 0; c < classes; c++)
            {
                scores[i, c] = (float)random.NextDouble();
            }
        }

        return scores;
    }

    public static IEnumerable<int> Range(int n) => Enumerable.Range(0, n);
}
