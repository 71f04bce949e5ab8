using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using TorchSharp;
using Volt.Checkpoints;
using Volt.Metrics;
using Volt.Metrics.Classification;
using static TorchSharp.torch;
using static Volt.Runtime.Tests.Metrics.MetricAssert;

namespace Volt.Runtime.Tests.Metrics;

using Average = Volt.Metrics.Classification.Average;
using Precision = Volt.Metrics.Classification.Precision;

/// <summary>
/// Deferred updates of the counting metrics: an update is held pending and counted with others later
/// (every <see cref="ConfusionCountsMetric.PendingUpdateLimit"/> updates, and before anything reads the
/// states); the values must be those of counting every update at once.
/// </summary>
public sealed class DeferredUpdateTests
{
    private const int Limit = ConfusionCountsMetric.PendingUpdateLimit;

    /// <summary>More batches than the pending limit, of sizes 1 to 5, with targets that hit the ignore index.</summary>
    private static List<(Tensor Preds, Tensor Target)> Batches(int count, int classes = 4)
    {
        using var generator = new Generator(11);
        return Enumerable.Range(0, count)
            .Select(i => (rand([1 + (i % 5), classes], generator: generator), randint(classes, [1 + (i % 5)], generator: generator)))
            .ToList();
    }

    private static (Tensor Preds, Tensor Target) Concatenated(List<(Tensor Preds, Tensor Target)> batches)
        => (cat(batches.Select(b => b.Preds).ToList(), 0), cat(batches.Select(b => b.Target).ToList(), 0));

    private static Func<ConfusionCountsMetric>[] Factories() =>
    [
        () => new Accuracy(ClassificationTask.Multiclass(4)),
        () => new F1Score(ClassificationTask.Multiclass(4, ignoreIndex: 3), Average.Macro),
        () => new Recall(ClassificationTask.Multiclass(4, topK: 2), Average.Weighted),
        () => new ConfusionMatrix(ClassificationTask.Multiclass(4)),
    ];

    [Fact]
    public void UpdatesPastThePendingLimitEqualOneUpdateWithTheConcatenatedData()
    {
        using var scope = NewDisposeScope();
        var batches = Batches(Limit + 9);
        var (allPreds, allTarget) = Concatenated(batches);
        foreach (var create in Factories())
        {
            using var perBatch = create();
            for (var i = 0; i < batches.Count; i++)
            {
                perBatch.Update(batches[i].Preds, batches[i].Target);

                // Counted together when the limit is reached, then pending again.
                Assert.Equal((i + 1) % Limit, perBatch.PendingUpdates);
            }

            using var whole = create();
            whole.Update(allPreds, allTarget);
            Close(Values(whole), Values(perBatch), 0, perBatch.GetType().Name);
            Assert.Equal(0, perBatch.PendingUpdates);
            Assert.Equal(batches.Count, perBatch.UpdateCount);
        }
    }

    [Fact]
    public void AMultilabelAndABinaryMetricDeferLikeAMulticlassOne()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(5);
        var sizes = Enumerable.Range(0, Limit + 3).Select(i => 1 + (i % 4)).ToList();
        var multilabel = sizes.Select(n => (rand([n, 3, 2], generator: generator), randint(2, [n, 3, 2], generator: generator))).ToList();
        var binary = sizes.Select(n => (rand([n], generator: generator), randint(3, [n], generator: generator).sub(1))).ToList();
        (Func<Metric> Create, List<(Tensor, Tensor)> Data)[] cases =
        [
            (() => new F1Score(ClassificationTask.Multilabel(3), Average.None), multilabel),
            (() => new ConfusionMatrix(ClassificationTask.Multilabel(3, ignoreIndex: 0)), multilabel),
            (() => new Precision(ClassificationTask.Binary(ignoreIndex: -1)), binary),
        ];
        foreach (var (create, data) in cases)
        {
            using var perBatch = create();
            foreach (var (preds, target) in data)
            {
                perBatch.Update(preds, target);
            }

            using var whole = create();
            var (allPreds, allTarget) = Concatenated(data);
            whole.Update(allPreds, allTarget);
            Close(Values(whole), Values(perBatch), 0, perBatch.GetType().Name);
        }
    }

    [Fact]
    public void ABatchOfThePendingElementLimitIsCountedAtOnce()
    {
        using var scope = NewDisposeScope();
        using var accuracy = new Accuracy(ClassificationTask.Multiclass(2));
        accuracy.Update(ones(3, ScalarType.Int64), ones(3, ScalarType.Int64));
        Assert.Equal(1, accuracy.PendingUpdates);
        var n = ConfusionCountsMetric.PendingElementLimit;
        accuracy.Update(zeros(n, ScalarType.Int64), ones(n, ScalarType.Int64));
        Assert.Equal(0, accuracy.PendingUpdates);
        Close(3.0 / (n + 3), accuracy.Compute().item<double>(), 1e-15);
    }

    [Fact]
    public void ChangingTheTensorsAfterUpdateDoesNotChangeWhatWasCounted()
    {
        using var scope = NewDisposeScope();
        using var accuracy = new Accuracy(ClassificationTask.Multiclass(3));
        var preds = tensor(new float[] { 0.9f, 0.1f, 0.0f, 0.1f, 0.8f, 0.1f }).reshape(2, 3);
        var target = tensor(new long[] { 0, 1 });
        accuracy.Update(preds, target);
        Assert.Equal(1, accuracy.PendingUpdates);
        preds.fill_(0.0f);
        target.fill_(2L);
        Close(1.0, accuracy.Compute().item<double>());
    }

    [Fact]
    public void ResetDiscardsThePendingUpdates()
    {
        using var scope = NewDisposeScope();
        var batches = Batches(6);
        using var metric = new F1Score(ClassificationTask.Multiclass(4), Average.Macro);
        foreach (var (preds, target) in batches.Take(5))
        {
            metric.Update(preds, target);
        }

        Assert.Equal(5, metric.PendingUpdates);
        metric.Reset();
        Assert.Equal(0, metric.PendingUpdates);
        metric.Update(batches[5].Preds, batches[5].Target);
        using var fresh = new F1Score(ClassificationTask.Multiclass(4), Average.Macro);
        fresh.Update(batches[5].Preds, batches[5].Target);
        Close(Value(fresh), Value(metric), 0);

        // Restoring states discards pending updates too: the restored counts are all there is.
        using var source = new F1Score(ClassificationTask.Multiclass(4), Average.Macro);
        source.Update(batches[0].Preds, batches[0].Target);
        metric.Update(batches[1].Preds, batches[1].Target);
        metric.LoadStates([source.States[0].Value], source.UpdateCount);
        Assert.Equal(0, metric.PendingUpdates);
        Close(Value(source), Value(metric), 0);
    }

    [Fact]
    public void ABadUpdateThrowsAtUpdateAndLeavesThePendingUpdatesAlone()
    {
        using var scope = NewDisposeScope();
        var batches = Batches(3);
        using var metric = new Accuracy(ClassificationTask.Multiclass(4));
        metric.Update(batches[0].Preds, batches[0].Target);
        metric.Update(batches[1].Preds, batches[1].Target);
        var shape = Assert.Throws<ArgumentException>(() => metric.Update(batches[2].Preds, batches[1].Target.narrow(0, 0, 1)));
        Assert.Contains("Accuracy", shape.Message);
        Assert.Contains("[1]", shape.Message);
        var dtype = Assert.Throws<ArgumentException>(() => metric.Update(batches[2].Preds, batches[2].Target.to(ScalarType.Float32)));
        Assert.Contains("Float32", dtype.Message);
        Assert.Equal(2, metric.PendingUpdates);
        Assert.Equal(2, metric.UpdateCount);

        using var good = new Accuracy(ClassificationTask.Multiclass(4));
        good.Update(batches[0].Preds, batches[0].Target);
        good.Update(batches[1].Preds, batches[1].Target);
        Close(Value(good), Value(metric), 0);
    }

    [Fact]
    public void AMidEpochCheckpointWithPendingUpdatesRoundTrips()
    {
        using var scope = NewDisposeScope();
        var batches = Batches(8);
        using var module = new MetricHolder();
        using var restored = new MetricHolder();
        using var uninterrupted = new MetricHolder();
        foreach (var (preds, target) in batches.Take(5))
        {
            module.Update(preds, target);
            uninterrupted.Update(preds, target);
        }

        Assert.Equal(5, module.F1.PendingUpdates);
        var captured = MetricCheckpointStates.Capture(module);
        var tensors = captured.Tensors().ToDictionary(t => t.Name, t => t.Tensor);
        Assert.Equal(0, module.F1.PendingUpdates);

        // The resumed run loads the saved states (as Restore does) and goes on with the rest of the epoch.
        foreach (var (name, metric) in new (string, Metric)[] { ("metrics/f1/bins", restored.F1), ("metrics/accuracy/bins", restored.Accuracy) })
        {
            metric.LoadStates([tensors[name]], 5);
        }

        foreach (var (preds, target) in batches.Skip(5))
        {
            restored.Update(preds, target);
            uninterrupted.Update(preds, target);
        }

        Close(Value(uninterrupted.F1), Value(restored.F1), 0, "f1");
        Close(Value(uninterrupted.Accuracy), Value(restored.Accuracy), 0, "accuracy");
        Assert.Equal(8, restored.F1.UpdateCount);
    }

    [Fact]
    public void TwoRanksWithPendingUpdatesSyncToTheSingleProcessValue()
    {
        using var scope = NewDisposeScope();
        var batches = Batches((2 * Limit) + 4);
        using var single = new F1Score(ClassificationTask.Multiclass(4, ignoreIndex: 3), Average.Macro);
        foreach (var (preds, target) in batches)
        {
            single.Update(preds, target);
        }

        // Rank 0 takes every third batch (23, not past the limit), rank 1 the rest (45, past it).
        using var group = new InProcessMetricStateGroup(2);
        using var rank0 = new F1Score(ClassificationTask.Multiclass(4, ignoreIndex: 3), Average.Macro) { StateSync = group.Rank(0) };
        using var rank1 = new F1Score(ClassificationTask.Multiclass(4, ignoreIndex: 3), Average.Macro) { StateSync = group.Rank(1) };
        for (var i = 0; i < batches.Count; i++)
        {
            (i % 3 == 0 ? rank0 : rank1).Update(batches[i].Preds, batches[i].Target);
        }

        Assert.Equal(23, rank0.PendingUpdates);
        Assert.Equal(45 - Limit, rank1.PendingUpdates);
        var values = new double[2];
        Parallel.Invoke(() => values[0] = Value(rank0), () => values[1] = Value(rank1));
        Close(Value(single), values[0], 1e-12, "rank 0");
        Close(Value(single), values[1], 1e-12, "rank 1");
    }

    [Fact]
    public void MetricsOfACollectionShareThePendingLabelsAndCountThemApart()
    {
        using var scope = NewDisposeScope();
        var batches = Batches(Limit + 4);
        using var collection = new MetricCollection
        {
            { "acc", new Accuracy(ClassificationTask.Multiclass(4)) },
            { "f1", new F1Score(ClassificationTask.Multiclass(4), Average.Macro) },
        };
        var accuracy = (ConfusionCountsMetric)collection["acc"];
        var f1 = (ConfusionCountsMetric)collection["f1"];
        foreach (var (preds, target) in batches.Take(10))
        {
            collection.Update(preds, target);
        }

        // Computing one metric counts its own share only; the other keeps its pending labels.
        accuracy.Compute();
        Assert.Equal(0, accuracy.PendingUpdates);
        Assert.Equal(10, f1.PendingUpdates);
        f1.Reset();
        foreach (var (preds, target) in batches.Skip(10))
        {
            collection.Update(preds, target);
        }

        using var accuracyAlone = new Accuracy(ClassificationTask.Multiclass(4));
        using var f1Alone = new F1Score(ClassificationTask.Multiclass(4), Average.Macro);
        foreach (var (preds, target) in batches)
        {
            accuracyAlone.Update(preds, target);
        }

        foreach (var (preds, target) in batches.Skip(10))
        {
            f1Alone.Update(preds, target);
        }

        Close(Value(accuracyAlone), Value(accuracy), 0, "accuracy");
        Close(Value(f1Alone), Value(f1), 0, "f1");
    }

    /// <summary>A module holding two counting metrics as fields, as a user's module does.</summary>
    private sealed class MetricHolder : nn.Module
    {
        private readonly Accuracy accuracy = new(ClassificationTask.Multiclass(4));
        private readonly F1Score f1 = new(ClassificationTask.Multiclass(4), Average.Macro);

        public MetricHolder()
            : base(nameof(MetricHolder))
        {
            RegisterComponents();
        }

        public Accuracy Accuracy => accuracy;

        public F1Score F1 => f1;

        public void Update(Tensor preds, Tensor target)
        {
            Accuracy.Update(preds, target);
            F1.Update(preds, target);
        }
    }
}
