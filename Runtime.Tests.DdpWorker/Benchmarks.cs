using System;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using TorchSharp;
using Volt.Data;
using Volt.Distributed;
using static TorchSharp.torch;

namespace Volt.Runtime.Tests.DdpWorker;

/// <summary>
/// The DDP numbers of docs/benchmarks.md (never run by the tests): the gradient all-reduce against the raw
/// MPI_Allreduce of the same buffer, and one Fashion-MNIST MLP epoch.
/// </summary>
internal static class Benchmarks
{
    /// <summary>Median time per gradient reduction (GradientBuckets over 4 parameters) and per raw MPI_Allreduce, by size.</summary>
    public static unsafe int AllReduce()
    {
        using var group = MpiProcessGroup.Open();
        var mpi = MpiRuntime.Library;
        foreach (var kilobytes in new[] { 4, 64, 400, 4096, 25600 })
        {
            var floats = kilobytes * 256;
            var parameters = Enumerable.Range(0, 4).Select(_ => torch.zeros(floats / 4, requires_grad: true)).ToList();
            foreach (var p in parameters)
            {
                p.grad = torch.ones(floats / 4);
            }

            var raw = new float[floats];
            var repeats = kilobytes >= 4096 ? 20 : 200;
            var bucketed = Median(repeats, () => GradientBuckets.Average(parameters, t => group.AllReduce(t, Strategies.ReduceOp.Sum), group.WorldSize), group);
            var direct = Median(repeats, () =>
            {
                fixed (float* data = raw)
                {
                    mpi.Allreduce(MpiLibrary.InPlace, (IntPtr)data, floats, mpi.Float32, mpi.Sum, mpi.CommWorld);
                }
            }, group);
            if (group.Rank == 0)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"allreduce {kilobytes} KB: gradients {bucketed * 1e6:F0} us, raw MPI_Allreduce {direct * 1e6:F0} us"));
            }

            parameters.ForEach(p => p.Dispose());
        }

        return 0;
    }

    private static double Median(int repeats, Action action, MpiProcessGroup group)
    {
        var times = new double[repeats];
        action();
        for (var i = 0; i < repeats; i++)
        {
            group.Barrier();
            var watch = Stopwatch.StartNew();
            action();
            times[i] = watch.Elapsed.TotalSeconds;
        }

        Array.Sort(times);
        return times[repeats / 2];
    }

    /// <summary>One epoch of the 784-128-10 MLP (Adam, batch 64 per process) through the trainer; rank 0 prints samples per second.</summary>
    public static int Epoch(string strategy, int threads)
    {
        torch.set_num_threads(threads);
        using var data = FashionMnist.Load();
        Seeding.SeedEverything(42);
        using var module = new BenchMlp();
        using var train = data.Train.ToLoader(64, shuffle: true, seed: 42);
        using var trainer = new Trainer(new TrainerOptions { MaxEpochs = 1, Seed = 42, Device = "cpu", Strategy = strategy, EnableLogging = false, EnableCheckpointing = false, EnableProgressBar = false, HandleInterrupts = false });
        trainer.Strategy.Barrier();
        var watch = Stopwatch.StartNew();
        trainer.Fit(module, train);
        trainer.Strategy.Barrier();
        var seconds = watch.Elapsed.TotalSeconds;
        if (trainer.IsGlobalZero)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"epoch {strategy} x{trainer.Strategy.WorldSize} ranks x{threads} threads: {seconds:F2} s, {data.Train.Count / seconds:F0} samples/s"));
        }

        return 0;
    }
}
