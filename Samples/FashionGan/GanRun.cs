using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using Volt;
using Volt.Data;
using static TorchSharp.torch;

namespace FashionGanSample;

/// <summary>Trains the GAN and writes a grid of generated images. Separate from Main so tests can run it small.</summary>
public static class GanRun
{
    /// <summary>The sample's options.</summary>
    public sealed record Options
    {
        public int Epochs { get; init; } = 3;

        public int BatchSize { get; init; } = 64;

        public long Seed { get; init; } = 42;

        public string? DataDirectory { get; init; }

        public string RootDirectory { get; init; } = ".";

        public int? LimitTrainBatches { get; init; }

        public string Output { get; init; } = "gan-samples.png";

        public bool Progress { get; init; } = true;
    }

    /// <summary>Trains, writes the PNG grid, and returns the final epoch metrics.</summary>
    public static IReadOnlyDictionary<string, double> Run(Options options, TextWriter console)
    {
        using var data = FashionMnist.Load(options.DataDirectory, splitSeed: options.Seed);
        Seeding.SeedEverything(options.Seed);
        using var gan = new FashionGan();
        using var train = data.Train.ToLoader(options.BatchSize, shuffle: true, dropLast: true, seed: options.Seed);
        using var trainer = new Trainer(
            new TrainerOptions
            {
                MaxEpochs = options.Epochs,
                Seed = options.Seed,
                DefaultRootDir = options.RootDirectory,
                RunName = "fashion_gan",
                LimitTrainBatches = options.LimitTrainBatches is { } limit ? limit : BatchLimit.All,
                EnableProgressBar = options.Progress,
            },
            console: console);
        trainer.Fit(gan, train);

        using var random = new Generator((ulong)options.Seed);
        using var samples = gan.Sample(64, random);
        PngImage.WriteGrid(options.Output, samples, columns: 8);
        foreach (var name in new[] { "d_loss_epoch", "g_loss_epoch" })
        {
            console.WriteLine($"{name}: {trainer.CallbackMetrics[name].ToString("F4", CultureInfo.InvariantCulture)}");
        }

        console.WriteLine($"samples: {Path.GetFullPath(options.Output)}");
        return trainer.CallbackMetrics;
    }
}
