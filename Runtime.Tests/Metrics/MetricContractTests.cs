using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using TorchSharp;
using Volt.Metrics;
using Volt.Metrics.Classification;
using Volt.Metrics.Regression;
using static TorchSharp.torch;
using static Volt.Runtime.Tests.Metrics.MetricAssert;

namespace Volt.Runtime.Tests.Metrics;

using Average = Volt.Metrics.Classification.Average;
using Precision = Volt.Metrics.Classification.Precision;

/// <summary>The metric contract: batches of any size add up, ranks sync to the single-process value, reset, forward.</summary>
public sealed class MetricContractTests
{
    private static readonly int[] BatchSizes = [7, 1, 13, 5, 10];

    /// <summary>One factory per state shape: confusion counts of every task, concatenated scores, float sums.</summary>
    private static IEnumerable<(string Name, Func<Metric> Create, Func<Generator, int, (Tensor Preds, Tensor Target)> Data)> Cases()
    {
        static (Tensor, Tensor) Multiclass(Generator g, int n) => (rand([n, 5], generator: g), randint(5, [n], generator: g));
        yield return ("f1 macro", () => new F1Score(ClassificationTask.Multiclass(5), Average.Macro), Multiclass);
        yield return ("accuracy top-2 ignore", () => new Accuracy(ClassificationTask.Multiclass(5, topK: 2, ignoreIndex: 4), Average.Weighted), Multiclass);
        yield return ("binary precision", () => new Precision(ClassificationTask.Binary()), (g, n) => (randn([n], generator: g), randint(2, [n], generator: g)));
        yield return ("multilabel recall", () => new Recall(ClassificationTask.Multilabel(3), Average.Macro), (g, n) => (rand([n, 3], generator: g), randint(2, [n, 3], generator: g)));
        yield return ("auroc", () => new AUROC(ClassificationTask.Multiclass(5)), Multiclass);
        yield return ("multilabel average precision", () => new AveragePrecision(ClassificationTask.Multilabel(3, ignoreIndex: -1), Average.Weighted), (g, n) => (randn([n, 3], generator: g), randint(3, [n, 3], generator: g).sub(1)));
        yield return ("average precision", () => new AveragePrecision(ClassificationTask.Binary()), (g, n) => (rand([n], generator: g), randint(2, [n], generator: g)));
        yield return ("mse", () => new MeanSquaredError(), (g, n) => (randn([n], generator: g), randn([n], generator: g)));
        yield return ("r2", () => new R2Score(), (g, n) => (randn([n], generator: g), randn([n], generator: g)));
    }

    /// <summary>Batches from a local generator: the global torch RNG is shared with tests running in parallel.</summary>
    private static List<(Tensor Preds, Tensor Target)> Batches(Func<Generator, int, (Tensor, Tensor)> data)
    {
        using var generator = new Generator(3);
        return BatchSizes.Select(n => data(generator, n)).ToList();
    }

    [Fact]
    public void BatchesOfDifferentSizesAddUpToTheConcatenatedData()
    {
        foreach (var (name, create, data) in Cases())
        {
            using var scope = NewDisposeScope();
            var batches = Batches(data);
            using var perBatch = create();
            foreach (var (preds, target) in batches)
            {
                perBatch.Update(preds, target);
            }

            using var whole = create();
            whole.Update(cat(batches.Select(b => b.Preds).ToList(), 0), cat(batches.Select(b => b.Target).ToList(), 0));
            Close(Value(whole), Value(perBatch), 1e-9, name);
            Assert.Equal(BatchSizes.Length, perBatch.UpdateCount);
        }
    }

    [Fact]
    public void TwoRanksSyncToTheSingleProcessValue()
    {
        foreach (var (name, create, data) in Cases())
        {
            using var scope = NewDisposeScope();
            var batches = Batches(data);
            using var single = create();
            foreach (var (preds, target) in batches)
            {
                single.Update(preds, target);
            }

            // Rank 0 takes batches 0, 2, 4 and rank 1 batches 1, 3: unequal sample counts.
            using var group = new InProcessMetricStateGroup(2);
            using var rank0 = create();
            using var rank1 = create();
            rank0.StateSync = group.Rank(0);
            rank1.StateSync = group.Rank(1);
            for (var i = 0; i < batches.Count; i++)
            {
                (i % 2 == 0 ? rank0 : rank1).Update(batches[i].Preds, batches[i].Target);
            }

            var localBefore = LocalValue(rank0);
            var values = new double[2];
            Parallel.Invoke(
                () => values[0] = Value(rank0),
                () => values[1] = Value(rank1));
            Close(Value(single), values[0], 1e-9, name + " rank 0");
            Close(Value(single), values[1], 1e-9, name + " rank 1");

            // Compute restores each rank's local states.
            Close(localBefore, LocalValue(rank0), 1e-9, name + " local after sync");
        }
    }

    private static double LocalValue(Metric metric)
    {
        var sync = metric.StateSync;
        metric.StateSync = null;
        try
        {
            return Value(metric);
        }
        finally
        {
            metric.StateSync = sync;
        }
    }

    [Fact]
    public void ResetStartsOverAndForwardReturnsTheBatchValue()
    {
        foreach (var (name, create, data) in Cases())
        {
            using var scope = NewDisposeScope();
            var batches = Batches(data);
            using var metric = create();
            metric.Update(batches[0].Preds, batches[0].Target);
            metric.Reset();
            Assert.Equal(0, metric.UpdateCount);
            metric.Update(batches[2].Preds, batches[2].Target);
            using var fresh = create();
            fresh.Update(batches[2].Preds, batches[2].Target);
            Close(Value(fresh), Value(metric), 1e-9, name + " after reset");

            // Forward: the batch alone, while the accumulated states keep growing.
            using var alone = create();
            alone.Update(batches[4].Preds, batches[4].Target);
            var batchValue = metric.Forward(batches[4].Preds, batches[4].Target).to(ScalarType.Float64).item<double>();
            Close(Value(alone), batchValue, 1e-9, name + " forward");
            fresh.Update(batches[4].Preds, batches[4].Target);
            Close(Value(fresh), Value(metric), 1e-9, name + " accumulated after forward");
        }
    }

    [Fact]
    public void ACollectionUpdatesAndComputesEveryMetric()
    {
        using var scope = NewDisposeScope();
        var preds = tensor(new float[] { 0.9f, 0.1f, 0.2f, 0.8f, 0.6f, 0.4f }).reshape(3, 2);
        var target = tensor(new long[] { 0, 1, 1 });
        using var collection = new MetricCollection("val_")
        {
            { "acc", new Accuracy(ClassificationTask.Multiclass(2)) },
            { "f1", new F1Score(ClassificationTask.Multiclass(2), Average.Macro) },
        };

        collection.Update(preds, target);
        var values = collection.Compute();
        Assert.Equal(["val_acc", "val_f1"], values.Keys);
        Close(2.0 / 3, values["val_acc"].item<double>());
        Close((2.0 / 3 + 2.0 / 3) / 2, values["val_f1"].item<double>());
        Assert.Equal(["acc", "f1"], collection.named_modules().Select(m => m.name));
        collection.Reset();
        Assert.Equal(0, collection["f1"].UpdateCount);
        Assert.Throws<ArgumentException>(() => collection.Add("acc", new Accuracy(ClassificationTask.Binary())));
    }

    [Fact]
    public void ACollectionSharesTheBinsOfEqualTasksAndKeepsEveryMetricsStatesApart()
    {
        using var scope = NewDisposeScope();
        var batches = new (Tensor Preds, Tensor Target)[]
        {
            (tensor(new float[] { 0.9f, 0.1f, 0.0f, 0.2f, 0.7f, 0.1f, 0.3f, 0.3f, 0.4f, 0.5f, 0.4f, 0.1f }).reshape(4, 3), tensor(new long[] { 0, 1, 1, 2 })),
            (tensor(new float[] { 0.1f, 0.1f, 0.8f, 0.6f, 0.3f, 0.1f }).reshape(2, 3), tensor(new long[] { 2, 1 })),
            (tensor(new float[] { 0.2f, 0.5f, 0.3f, 0.7f, 0.2f, 0.1f, 0.1f, 0.2f, 0.7f }).reshape(3, 3), tensor(new long[] { 1, 1, 2 })),
        };
        Func<Metric>[] factories =
        [
            () => new Accuracy(ClassificationTask.Multiclass(3)),
            () => new F1Score(ClassificationTask.Multiclass(3), Average.Macro),
            () => new ConfusionMatrix(ClassificationTask.Multiclass(3)),
            () => new Precision(ClassificationTask.Multiclass(3, ignoreIndex: 2), Average.Micro),
            () => new AUROC(ClassificationTask.Multiclass(3)),
        ];
        using var collection = new MetricCollection();
        for (var i = 0; i < factories.Length; i++)
        {
            collection.Add($"m{i}", factories[i]());
        }

        // Two batches into everything, then one metric of the shared task is reset and a third batch follows:
        // the reset metric holds the third batch only, the others all three.
        collection.Update(batches[0].Preds, batches[0].Target);
        collection.Update(batches[1].Preds, batches[1].Target);
        collection["m1"].Reset();
        collection.Update(batches[2].Preds, batches[2].Target);

        for (var i = 0; i < factories.Length; i++)
        {
            using var alone = factories[i]();
            foreach (var (preds, target) in i == 1 ? batches[2..] : batches)
            {
                alone.Update(preds, target);
            }

            Close(Values(alone), Values(collection[$"m{i}"]));
            Assert.Equal(alone.UpdateCount, collection[$"m{i}"].UpdateCount);
        }

        // Labels 0 1 2 0 | 2 0 | 1 0 2 against targets 0 1 1 2 | 2 1 | 1 1 2: 5 of 9 right.
        Close(5.0 / 9, collection["m0"].Compute().item<double>());
        var negative = Assert.Throws<ArgumentException>(() => collection.Update(batches[0].Preds, tensor(new long[] { 0, -1, 1, 2 })));
        Assert.Contains("-1 at position 1", negative.Message);

        // The failed update counted nothing in any metric of the collection.
        Close(5.0 / 9, collection["m0"].Compute().item<double>());
    }
}
