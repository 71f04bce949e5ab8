using System;
using System.Globalization;
using FashionGanSample;
using Volt.Data;

// Usage: dotnet run -c Release --project Samples/FashionGan -- [--epochs N] [--batch-size N] [--seed N]
//        [--data DIR] [--root DIR] [--limit-train-batches N] [--output FILE.png] [--no-progress]
var options = new GanRun.Options();
try
{
    for (var i = 0; i < args.Length; i++)
    {
        string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
        int Positive(string flag) => int.TryParse(Value(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new ArgumentException($"{flag} takes a whole number of at least 1.");
        options = args[i] switch
        {
            "--epochs" => options with { Epochs = Positive("--epochs") },
            "--batch-size" => options with { BatchSize = Positive("--batch-size") },
            "--seed" => options with { Seed = long.Parse(Value(), CultureInfo.InvariantCulture) },
            "--data" => options with { DataDirectory = Value() },
            "--root" => options with { RootDirectory = Value() },
            "--limit-train-batches" => options with { LimitTrainBatches = Positive("--limit-train-batches") },
            "--output" => options with { Output = Value() },
            "--no-progress" => options with { Progress = false },
            var flag => throw new ArgumentException($"Unknown option '{flag}'."),
        };
    }
}
catch (Exception error) when (error is ArgumentException or FormatException)
{
    Console.Error.WriteLine(error.Message);
    return 2;
}

try
{
    GanRun.Run(options, Console.Out);
    return 0;
}
catch (FashionMnistNotFoundException error)
{
    Console.Error.WriteLine(error.Message);
    return 1;
}
