using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using TorchSharp;
using Volt;
using Volt.Benchmarks;
using Volt.Data;

// Usage: dotnet run -c Release --project Benchmarks/Volt.Benchmarks -- [--quick] [--repeats N] [--threads N] [parity] [overhead] [memory] [python] [generator] [serving] [metrics]
// With no section names every section runs. --quick shrinks every size for a fast smoke run.
var quick = args.Contains("--quick");
var repeats = quick ? 3 : 7;
var repeatsIndex = Array.IndexOf(args, "--repeats");
if (repeatsIndex >= 0 && (repeatsIndex + 1 >= args.Length || !int.TryParse(args[repeatsIndex + 1], out repeats) || repeats < 1))
{
    Console.Error.WriteLine("--repeats takes a whole number of at least 1.");
    return 2;
}

var threadsIndex = Array.IndexOf(args, "--threads");
if (threadsIndex >= 0)
{
    if (threadsIndex + 1 >= args.Length || !int.TryParse(args[threadsIndex + 1], out var threads) || threads < 1)
    {
        Console.Error.WriteLine("--threads takes a whole number of at least 1.");
        return 2;
    }

    torch.set_num_threads(threads);
}

string[] allSections = ["parity", "overhead", "memory", "python", "generator", "serving", "metrics"];
var sections = args.Where(allSections.Contains).ToHashSet();
if (sections.Count == 0)
{
    sections = [.. allSections];
}

Console.WriteLine($"Volt benchmarks — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
Console.WriteLine($"Machine: {Environment.ProcessorCount} logical cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}, {RuntimeInformation.ProcessArchitecture}");
Console.WriteLine($"TorchSharp threads: {torch.get_num_threads()} (libtorch 2.10 CPU from the TorchSharp-cpu package)");
Console.WriteLine($"Repeats: {repeats}{(quick ? " (quick sizes)" : string.Empty)}");
Console.WriteLine();

double? voltEpochSeconds = null;
if (sections.Contains("parity") || sections.Contains("python") || sections.Contains("memory"))
{
    using var data = FashionMnist.Load();
    using var train = data.Train.ToLoader(64, shuffle: true, seed: Workloads.Seed);
    var batches = quick ? 200 : train.BatchCount;
    if (sections.Contains("parity"))
    {
        voltEpochSeconds = Parity(train, batches);
    }

    if (sections.Contains("memory"))
    {
        MemoryMlp(train, quick ? 3_000 : 20_000);
    }
}

if (sections.Contains("overhead"))
{
    new OverheadBenchmark(quick ? 4_000 : 20_000, repeats).Run();
}

if (sections.Contains("memory"))
{
    MemoryTiny(quick ? 3_000 : 20_000);
}

if (sections.Contains("python"))
{
    Python(voltEpochSeconds, quick ? 2 : 5);
}

if (sections.Contains("generator"))
{
    Generator(quick ? 40 : 200);
}

if (sections.Contains("serving"))
{
    Console.WriteLine("== 6. Serving: POST /predict, one 1x28x28 image per request, wrk over loopback");
    new ServingBenchmark(seconds: quick ? 2 : 5).Run();
    Console.WriteLine();
}

if (sections.Contains("metrics"))
{
    using var data = FashionMnist.Load();
    using var train = data.Train.ToLoader(64, shuffle: true, seed: Workloads.Seed);
    MetricCost(train, quick ? 200 : 800);
}

return 0;

void MetricCost(TensorDataLoader<ImageBatch> train, int steps)
{
    Console.WriteLine($"== 7. Metric objects: Accuracy + macro F1 updated per step vs two precomputed tensors logged, MLP, batch 64, {steps} steps per run");
    MetricLogging[] variants = [MetricLogging.MetricCollection, MetricLogging.MetricObjects, MetricLogging.PrecomputedTensors, MetricLogging.None];

    // One fit: the whole step and, timed inside the step, the metric work alone (updates and Log calls).
    (double Step, double MetricWork) Fit(MetricLogging logging)
    {
        Seeding.SeedEverything(Workloads.Seed);
        using var model = new MetricMlp(logging);
        var trainer = new Trainer(Workloads.TrainerOptions(epochs: 1, maxSteps: steps));
        var seconds = Interleaved.Seconds(() => trainer.Fit(model, train));
        return (seconds / steps * 1e6, (double)model.MetricTicks / Stopwatch.Frequency / model.Steps * 1e6);
    }

    foreach (var variant in variants)
    {
        Fit(variant);
    }

    var stepTimes = variants.ToDictionary(v => v, _ => new List<double>());
    var metricTimes = variants.ToDictionary(v => v, _ => new List<double>());
    for (var i = 0; i < repeats; i++)
    {
        // Interleaved, in a rotating order, so a change of machine load spreads over every variant.
        for (var j = 0; j < variants.Length; j++)
        {
            var variant = variants[(i + j) % variants.Length];
            var (step, metricWork) = Fit(variant);
            stepTimes[variant].Add(step);
            metricTimes[variant].Add(metricWork);
        }
    }

    foreach (var variant in variants)
    {
        Console.WriteLine($"{variant,-20} step {new Sample(stepTimes[variant]).Format("µs/step", "F2")}; metric work in the step {new Sample(metricTimes[variant]).Format("µs/step", "F2")}");
    }

    foreach (var variant in new[] { MetricLogging.MetricCollection, MetricLogging.MetricObjects })
    {
        var over = new Sample(metricTimes[variant].Zip(metricTimes[MetricLogging.PrecomputedTensors], (m, t) => m - t).ToList());
        Console.WriteLine($"{variant} − precomputed tensors, metric work per pair: {over.Format("µs/step", "F2")}");
    }

    // The updates alone, on one real batch's logits: the host cost without the step around it.
    using var scope = torch.NewDisposeScope();
    using var epoch = train.OpenEpoch(0, Workloads.Seed);
    var batch = epoch.GetBatch(0);
    var updates = quick ? 5_000 : 50_000;
    foreach (var variant in new[] { MetricLogging.MetricCollection, MetricLogging.MetricObjects })
    {
        Seeding.SeedEverything(Workloads.Seed);
        using var probe = new MetricMlp(variant);
        var logits = probe.forward(batch.Images).detach();
        probe.UpdateMetrics(logits, batch.Labels, 1_000);
        var isolated = new List<double>();
        for (var i = 0; i < repeats; i++)
        {
            isolated.Add(Interleaved.Seconds(() => probe.UpdateMetrics(logits, batch.Labels, updates)) / updates * 1e6);
        }

        Console.WriteLine($"{variant} updates alone: {new Sample(isolated).Format("µs/step", "F2")}");
    }

    Console.WriteLine();
}

double Parity(TensorDataLoader<ImageBatch> train, int batches)
{
    Console.WriteLine($"== 1. Parity: MLP 784-128-10, Adam 1e-3, batch 64, one epoch of {batches} batches, generated vs hand-written loop");
    string? generatedHash = null;
    string? handHash = null;
    double Generated()
    {
        Seeding.SeedEverything(Workloads.Seed);
        using var model = new BenchMlp();
        var trainer = new Trainer(Workloads.TrainerOptions(epochs: 1, maxSteps: batches));
        var seconds = Interleaved.Seconds(() => trainer.Fit(model, train));
        generatedHash = ModelFingerprint.Sha256(model);
        return seconds;
    }

    double Hand()
    {
        Seeding.SeedEverything(Workloads.Seed);
        using var model = new BenchMlp();
        var seconds = Interleaved.Seconds(() =>
        {
            using var optimizer = model.ConfigureOptimizers();
            Seeding.SeedEverything(Workloads.Seed);
            HandWrittenLoop.Train(model, model.TrainingStep, optimizer, train, Workloads.Seed, epochs: 1, maxSteps: batches);
        });
        handHash = ModelFingerprint.Sha256(model);
        return seconds;
    }

    Generated();
    Hand();
    var (generated, hand) = Interleaved.Run(repeats, Generated, Hand);
    Console.WriteLine($"generated loop:    {generated.Format("s")}");
    Console.WriteLine($"hand-written loop: {hand.Format("s")}");
    var ratios = new Sample(generated.Values.Zip(hand.Values, (g, h) => g / h).ToList());
    Console.WriteLine($"time ratio generated/hand: {generated.Median / hand.Median:F4} (ratio of medians); per-pair ratios {ratios.Format("", "F4")}");
    Console.WriteLine($"weights identical: {generatedHash == handHash} ({generatedHash})");
    Console.WriteLine();
    return generated.Median * train.BatchCount / batches;
}

void MemoryTiny(int steps)
{
    Console.WriteLine($"== 3a. Memory: tiny model, {steps} steps, sampled every 1,000 steps");
    using var data = Workloads.TinyData(8_000);
    var samples = new List<(long Step, long Live, double RssMb)>();
    long step = 0;
    Seeding.SeedEverything(Workloads.Seed);
    using var model = new TinyModel();
    model.AfterStep = () => Sample(ref step, samples);
    new Trainer(Workloads.TrainerOptions(epochs: 1000, maxSteps: steps)).Fit(model, data);
    ReportMemory(samples);
}

void MemoryMlp(TensorDataLoader<ImageBatch> train, int steps)
{
    Console.WriteLine($"== 3b. Memory: MLP, {steps} steps, sampled every 1,000 steps (generated loop, then the hand-written loop for comparison)");
    foreach (var byHand in new[] { false, true })
    {
        var samples = new List<(long Step, long Live, double RssMb)>();
        long step = 0;
        Seeding.SeedEverything(Workloads.Seed);
        using var model = new BenchMlp();
        model.AfterStep = () => Sample(ref step, samples);
        if (byHand)
        {
            using var optimizer = model.ConfigureOptimizers();
            HandWrittenLoop.Train(model, model.TrainingStep, optimizer, train, Workloads.Seed, epochs: 1000, maxSteps: steps);
        }
        else
        {
            new Trainer(Workloads.TrainerOptions(epochs: 1000, maxSteps: steps)).Fit(model, train);
        }

        Console.WriteLine(byHand ? "hand-written loop:" : "generated loop:");
        ReportMemory(samples);
    }
}

static void Sample(ref long step, List<(long Step, long Live, double RssMb)> samples)
{
    if (step % 1000 == 0)
    {
        samples.Add((step, DisposeScopeManager.Statistics.ThreadTotalLiveCount, Environment.WorkingSet / 1048576.0));
    }

    step++;
}

static void ReportMemory(List<(long Step, long Live, double RssMb)> samples)
{
    Console.WriteLine("step    live tensors   RSS MB");
    foreach (var (step, live, rss) in samples)
    {
        Console.WriteLine($"{step,6}  {live,12}  {rss,8:F1}");
    }

    var afterWarmUp = samples.Skip(2).ToList();
    if (afterWarmUp.Count > 0)
    {
        Console.WriteLine($"after warm-up (from step {afterWarmUp[0].Step}): live tensors {afterWarmUp.Min(s => s.Live)}..{afterWarmUp.Max(s => s.Live)}, RSS {afterWarmUp.Min(s => s.RssMb):F1}..{afterWarmUp.Max(s => s.RssMb):F1} MB");
    }

    Console.WriteLine();
}

void Python(double? voltEpochSeconds, int pythonRepeats)
{
    Console.WriteLine("== 4. The same MLP epoch in Python PyTorch");
    var script = Path.Combine(AppContext.BaseDirectory, "pytorch_mlp.py");
    var interpreter = new[] { "/usr/bin/python3", "python3" }.FirstOrDefault(HasTorch);
    if (interpreter is null)
    {
        Console.WriteLine("skipped: no python3 with torch (sudo apt-get install python3-torch)");
        Console.WriteLine();
        return;
    }

    var start = new ProcessStartInfo(interpreter, [script, "--repeats", pythonRepeats.ToString(CultureInfo.InvariantCulture)]) { RedirectStandardOutput = true };
    using var process = Process.Start(start)!;
    var output = process.StandardOutput.ReadToEnd();
    process.WaitForExit();
    var result = output.Split('\n').FirstOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal)) ?? "no result";
    Console.WriteLine($"PyTorch ({interpreter}): {result}");
    if (voltEpochSeconds is { } volt)
    {
        Console.WriteLine($"Volt (generated loop, full epoch): {volt:F4} s per epoch; TorchSharp threads={torch.get_num_threads()}, libtorch 2.10 CPU (MKL, OpenMP)");
    }

    Console.WriteLine();
}

static bool HasTorch(string interpreter)
{
    try
    {
        using var process = Process.Start(new ProcessStartInfo(interpreter, ["-c", "import torch"]) { RedirectStandardError = true })!;
        process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0;
    }
    catch (System.ComponentModel.Win32Exception)
    {
        return false;
    }
}

void Generator(int modules)
{
    Console.WriteLine($"== 5. Generator: {modules} module classes");
    var benchmark = new GeneratorBenchmark(modules);
    var problems = benchmark.Check();
    Console.WriteLine(problems.Count == 0 ? $"checks: {modules} files generated, compilation clean, edit re-run cached" : "CHECK FAILED: " + string.Join("; ", problems));
    benchmark.RunCold();
    var cold = new List<double>();
    var incremental = new List<double>();
    for (var i = 0; i < repeats; i++)
    {
        var (seconds, driver) = benchmark.RunCold();
        cold.Add(seconds * 1000);
        incremental.Add(benchmark.RunAfterEdit(driver).Seconds * 1000);
    }

    Console.WriteLine($"cold run:                        {new Sample(cold).Format("ms", "F1")}");
    Console.WriteLine($"re-run after a method-body edit: {new Sample(incremental).Format("ms", "F1")}");
    Console.WriteLine();
}
