using System;
using System.Collections.Generic;
using System.Diagnostics;
using TorchSharp;
using TorchSharp.Modules;
using Volt.Data;
using static TorchSharp.torch;

namespace Volt.Benchmarks;

/// <summary>The Fashion-MNIST MLP (784 → 128 → 10, Adam 1e-3) as a Volt module, without logging.</summary>
[Volt.Serving.Serve]
[Volt.Serving.ExampleShape("Inputs", 1, 28, 28)]
public sealed partial class BenchMlp(int hiddenSize = 128, double learningRate = 1e-3) : nn.Module<Tensor, Tensor>("bench_mlp")
{
    private readonly Linear hidden = nn.Linear(28 * 28, hiddenSize);
    private readonly Linear output = nn.Linear(hiddenSize, 10);

    /// <summary>Called after every training step by the memory benchmark; null otherwise.</summary>
    public Action? AfterStep { get; set; }

    public override Tensor forward(Tensor images) => output.forward(nn.functional.relu(hidden.forward(images.flatten(1))));

    /// <summary>The step both loops run: the generated loop through [TrainingStep], the hand-written loop directly.</summary>
    [TrainingStep]
    public Tensor TrainingStep(ImageBatch batch)
    {
        AfterStep?.Invoke();
        return nn.functional.cross_entropy(forward(batch.Images), batch.Labels);
    }

    /// <summary>What the serving benchmark serves: <c>{"inputs": [image, ...]}</c> answered with <c>{"outputs": [logits, ...]}</c>, as the FastAPI server does.</summary>
    [PredictStep]
    public Tensor Predict(Tensor images) => forward(images);

    [ConfigureOptimizers]
    public optim.Optimizer ConfigureOptimizers() => optim.Adam(parameters(), learningRate);
}

/// <summary>A model so small (Linear(10, 1), batch 8) that the loop's own cost dominates a step.</summary>
public sealed partial class TinyModel() : nn.Module<Tensor, Tensor>("tiny")
{
    private readonly Linear linear = nn.Linear(10, 1);

    /// <summary>Called at the start of every training step; null otherwise.</summary>
    public Action? AfterStep { get; set; }

    /// <summary>Log the loss every step, shown in the progress display (the observability benchmark).</summary>
    public bool LogsLoss { get; set; }

    /// <summary>How many more times the step logs the loss under the same name (the cost of one <c>Log</c> call, measured inside a real step).</summary>
    public int ExtraLogs { get; set; }

    public override Tensor forward(Tensor input) => linear.forward(input);

    [TrainingStep]
    public Tensor TrainingStep(TinyBatch batch)
    {
        AfterStep?.Invoke();
        var loss = nn.functional.mse_loss(forward(batch.X), batch.Y);
        if (LogsLoss)
        {
            Log("train_loss", loss, progressBar: true);
            for (var i = 0; i < ExtraLogs; i++)
            {
                Log("train_loss", loss, progressBar: true);
            }
        }

        return loss;
    }

    [ConfigureOptimizers]
    public optim.Optimizer ConfigureOptimizers() => optim.SGD(parameters(), 0.01);
}

/// <summary>The tiny model's batch.</summary>
public sealed record TinyBatch(Tensor X, Tensor Y);

/// <summary>
/// The loop a careful engineer writes by hand in TorchSharp: the same data order, optimizer,
/// zero_grad/step order and one dispose scope per step as the generated loop, and nothing else.
/// </summary>
public static class HandWrittenLoop
{
    /// <summary>Trains <paramref name="epochs"/> epochs (or <paramref name="maxSteps"/> steps) and returns the steps taken.</summary>
    public static long Train<TBatch>(
        nn.Module module,
        Func<TBatch, Tensor> trainingStep,
        optim.Optimizer optimizer,
        IDataLoader<TBatch> data,
        long shuffleSeed,
        int epochs,
        long maxSteps = long.MaxValue)
    {
        long steps = 0;
        module.train();
        for (var epoch = 0; epoch < epochs && steps < maxSteps; epoch++)
        {
            using var batches = data.OpenEpoch(epoch, shuffleSeed);
            for (var i = 0; i < batches.Count && steps < maxSteps; i++)
            {
                using var scope = NewDisposeScope();
                var batch = batches.GetBatch(i);
                optimizer.zero_grad();
                var loss = trainingStep(batch);
                loss.backward();
                optimizer.step();
                steps++;
            }
        }

        return steps;
    }
}

/// <summary>Builds the data and trains with either loop; shared by the benchmarks and the parity test.</summary>
public static class Workloads
{
    public const long Seed = 1234;

    /// <summary>Options for a benchmark trainer: no files (no logs, no checkpoints), no console output, CPU.</summary>
    public static TrainerOptions TrainerOptions(int epochs, long maxSteps = -1) => new()
    {
        MaxEpochs = epochs,
        MaxSteps = maxSteps,
        Seed = Seed,
        EnableLogging = false,
        EnableCheckpointing = false,
        EnableProgressBar = false,
        Device = "cpu",
    };

    /// <summary>Trains a fresh MLP with the generated loop and returns it.</summary>
    public static BenchMlp TrainMlpGenerated(IDataLoader<ImageBatch> data, int epochs, long maxSteps = -1)
    {
        Seeding.SeedEverything(Seed);
        var model = new BenchMlp();
        new Trainer(TrainerOptions(epochs, maxSteps)).Fit(model, data);
        return model;
    }

    /// <summary>Trains a fresh MLP with the hand-written loop and returns it.</summary>
    public static BenchMlp TrainMlpByHand(IDataLoader<ImageBatch> data, int epochs, long maxSteps = long.MaxValue)
    {
        Seeding.SeedEverything(Seed);
        var model = new BenchMlp();
        using var optimizer = model.ConfigureOptimizers();
        Seeding.SeedEverything(Seed);
        HandWrittenLoop.Train(model, model.TrainingStep, optimizer, data, Seed, epochs, maxSteps);
        return model;
    }

    /// <summary>Random tiny-model data: <paramref name="count"/> rows of 10 features, shuffled batches of 8.</summary>
    public static TensorDataLoader<TinyBatch> TinyData(int count)
    {
        using var generator = new Generator(7);
        var x = randn([count, 10], generator: generator).DetachFromDisposeScope();
        var y = randn([count, 1], generator: generator).DetachFromDisposeScope();
        return TensorDataLoader.Create(x, y, 8, (a, b) => new TinyBatch(a, b), shuffle: true, seed: Seed, ownsTensors: true);
    }

    /// <summary>Trains a fresh tiny model with the generated loop for <paramref name="steps"/> steps.</summary>
    public static TinyModel TrainTinyGenerated(IDataLoader<TinyBatch> data, long steps, Action<TinyModel>? configure = null)
    {
        Seeding.SeedEverything(Seed);
        var model = new TinyModel();
        configure?.Invoke(model);
        new Trainer(TrainerOptions(epochs: int.MaxValue / 2, maxSteps: steps)).Fit(model, data);
        return model;
    }

    /// <summary>Trains a fresh tiny model with the hand-written loop for <paramref name="steps"/> steps.</summary>
    public static TinyModel TrainTinyByHand(IDataLoader<TinyBatch> data, long steps, Action<TinyModel>? configure = null)
    {
        Seeding.SeedEverything(Seed);
        var model = new TinyModel();
        configure?.Invoke(model);
        using var optimizer = model.ConfigureOptimizers();
        Seeding.SeedEverything(Seed);
        HandWrittenLoop.Train(model, model.TrainingStep, optimizer, data, Seed, int.MaxValue, steps);
        return model;
    }
}
