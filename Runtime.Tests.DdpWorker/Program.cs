using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using TorchSharp;
using Volt;
using Volt.Data;
using Volt.Distributed;
using Volt.Runtime.Tests.DdpWorker;
using Volt.Strategies;
using static TorchSharp.torch;

// Usage (each mode runs in every rank of `mpirun -np N`, or alone for a single-process reference):
//   collectives                       checks every collective of DdpStrategy against known values
//   fit <out> <batch> <strategy> [accumulate=N] [manual] [devices=N] [count]
//                                     (count: rank r also writes its number of gradient reductions to <out>.<r>.reductions)
//                                     trains a seeded tiny model; rank r writes its final weights to <out>.<r>
//   earlystop <out>                   EarlyStopping on a metric only rank 1 sees stall; rank r writes its last epoch to <out>.<r>
//   resume <out> <dir> <killAt> [ckpt]
//                                     3 epochs of a dropout net with last.ckpt every 3 steps in <dir>; with killAt > 0
//                                     rank 1 SIGKILLs itself after global step killAt; with ckpt it resumes from it;
//                                     rank r writes its final weights to <out>.<r>
//   checkpoint <dir>                  2 epochs with logging and checkpoints under <dir>; prints "logdir: <path>"
//   bench-allreduce | bench-epoch <strategy> <threads>   the DDP numbers of docs/benchmarks.md
//   throw                             rank 1 throws while rank 0 waits in a barrier
//   sigkill                           rank 1 kills itself with SIGKILL while rank 0 waits in a barrier
if (!args[0].StartsWith("bench", StringComparison.Ordinal))
{
    torch.set_num_threads(1);
}

return args[0] switch
{
    "collectives" => Collectives.Run(),
    "fit" => Fit.Run(args[1], int.Parse(args[2], CultureInfo.InvariantCulture), args[3], args.Skip(4).ToArray()),
    "earlystop" => Fit.EarlyStop(args[1]),
    "checkpoint" => Fit.Checkpoint(args[1]),
    "resume" => Fit.Resume(args[1], args[2], int.Parse(args[3], CultureInfo.InvariantCulture), args.Length > 4 ? args[4] : null),
    "bench-allreduce" => Benchmarks.AllReduce(),
    "bench-epoch" => Benchmarks.Epoch(args[1], int.Parse(args[2], CultureInfo.InvariantCulture)),
    "throw" => Faults.Throw(),
    "sigkill" => Faults.SigKill(),
    _ => throw new ArgumentException($"unknown mode {args[0]}"),
};

internal static class Collectives
{
    public static int Run()
    {
        using var ddp = new DdpStrategy(MpiProcessGroup.Open(), torch.CPU);
        var rank = ddp.GlobalRank;
        var world = ddp.WorldSize;
        Require(world >= 2, $"collectives needs 2+ ranks, got {world}");

        using (var sum = torch.tensor(new float[] { rank + 1, 10 * (rank + 1) }))
        {
            ddp.AllReduce(sum, ReduceOp.Sum);
            var expected = world * (world + 1) / 2f;
            Require(sum[0].ToSingle() == expected && sum[1].ToSingle() == 10 * expected, $"sum {sum[0].ToSingle()}");
        }

        using (var mean = torch.tensor(new double[] { rank }))
        {
            ddp.AllReduce(mean, ReduceOp.Mean);
            Require(Math.Abs(mean.ToDouble() - ((world - 1) / 2.0)) < 1e-12, $"mean {mean.ToDouble()}");
        }

        using (var max = torch.tensor(new long[] { rank, -rank }))
        {
            ddp.AllReduce(max, ReduceOp.Max);
            Require(max[0].ToInt64() == world - 1 && max[1].ToInt64() == 0, "max");
        }

        using (var min = torch.tensor(new int[] { rank, -rank }))
        {
            ddp.AllReduce(min, ReduceOp.Min);
            Require(min[0].ToInt32() == 0 && min[1].ToInt32() == -(world - 1), "min");
        }

        // A non-contiguous view is reduced through a copy and written back.
        using (var matrix = torch.arange(6, ScalarType.Float32).reshape(2, 3).add(rank))
        using (var column = matrix.t())
        {
            ddp.AllReduce(column, ReduceOp.Sum);
            Require(matrix[1, 2].ToSingle() == (5 * world) + (world * (world - 1) / 2f), "non-contiguous");
        }

        using (var broadcast = torch.full(3, rank == 0 ? 42.5 : -1.0, ScalarType.Float64))
        {
            ddp.Broadcast(broadcast, 0);
            Require(broadcast.data<double>().All(v => v == 42.5), "broadcast");
        }

        // Dimension 0 differs per rank (metric states of different lengths).
        using (var local = torch.full(rank + 1, 2, rank, ScalarType.Int64))
        {
            var gathered = ddp.AllGather(local);
            Require(gathered.Count == world, "allgather count");
            for (var r = 0; r < world; r++)
            {
                Require(gathered[r].shape.SequenceEqual(new long[] { r + 1, 2 }) && gathered[r].data<long>().All(v => v == r), $"allgather {r}");
                gathered[r].Dispose();
            }
        }

        Require(ddp.ReduceDecision(rank == 1), "any decision");
        Require(!ddp.ReduceDecision(rank == 1, all: true), "all decision");
        Require(ddp.ReduceDecision(true, all: true), "unanimous decision");
        Require(ddp.BroadcastText(rank == 0 ? "runs/x/version_3 ✓" : null) == "runs/x/version_3 ✓", "text");
        Require(ddp.BroadcastText(rank == 0 ? null : "ignored") is null, "null text");
        Require(ddp.MetricStateSync!.WorldSize == world, "metric sync");
        ddp.Barrier();
        Console.WriteLine($"collectives ok on rank {rank} of {world}");
        return 0;
    }

    private static void Require(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidOperationException($"collective check failed: {what}");
        }
    }
}

internal static class Fit
{
    public const int Samples = 256;

    public static int Run(string output, int batchSize, string strategy, string[] flags)
    {
        var accumulate = flags.Where(f => f.StartsWith("accumulate=", StringComparison.Ordinal)).Select(f => int.Parse(f["accumulate=".Length..], CultureInfo.InvariantCulture)).DefaultIfEmpty(1).Single();
        var manual = flags.Contains("manual");
        var count = flags.Contains("count");
        var devices = flags.Where(f => f.StartsWith("devices=", StringComparison.Ordinal)).Select(f => int.Parse(f["devices=".Length..], CultureInfo.InvariantCulture)).DefaultIfEmpty(1).Single();
        var rank = LaunchEnvironment.Detect()?.GlobalRank ?? 0;

        // Each rank initializes differently: DDP's setup broadcast must make them agree with rank 0's (seed 1).
        Seeding.SeedEverything(1 + rank);
        using var module = manual ? (nn.Module)new TwoOptimizers() : new TinyRegression();
        var (x, y) = Data();
        using var train = TensorDataLoader.Create(x, y, batchSize, (a, b) => new XYBatch(a, b), shuffle: true, ownsTensors: true);
        using var counting = count ? new CountingStrategy(new DdpStrategy(MpiProcessGroup.Open(), torch.CPU)) : null;
        using var trainer = new Trainer(
            new TrainerOptions
            {
                MaxEpochs = 2,
                Seed = 7,
                Device = "cpu",
                Strategy = strategy,
                Devices = devices,
                AccumulateGradBatches = accumulate,
                EnableLogging = false,
                EnableCheckpointing = false,
                EnableProgressBar = false,
                HandleInterrupts = false,
            },
            strategy: counting);
        if (module is TinyRegression regression)
        {
            trainer.Fit(regression, train);
        }
        else
        {
            trainer.Fit((TwoOptimizers)module, train);
        }

        WriteWeights(module, $"{output}.{rank}");
        if (counting is not null)
        {
            File.WriteAllText($"{output}.{rank}.reductions", counting.GradientReductions.ToString(CultureInfo.InvariantCulture));
        }

        return 0;
    }

    public static int EarlyStop(string output)
    {
        Seeding.SeedEverything(1);
        using var module = new PerRankMetric();
        var (train, validation) = TrainAndValidation();
        using var trainLoader = train;
        using var validationLoader = validation;
        using var trainer = new Trainer(
            new TrainerOptions { MaxEpochs = 8, Seed = 7, Device = "cpu", Strategy = "ddp", EnableLogging = false, EnableCheckpointing = false, EnableProgressBar = false, HandleInterrupts = false, NumSanityValSteps = 0 },
            callbacks: [new Volt.Callbacks.EarlyStopping { Monitor = "rank_metric", Mode = MonitorMode.Min, Patience = 1 }]);
        trainer.Fit(module, train, validation);
        File.WriteAllText($"{output}.{trainer.Strategy.GlobalRank}", trainer.CurrentEpoch.ToString(CultureInfo.InvariantCulture));
        return 0;
    }

    public static int Resume(string output, string checkpoints, int killAt, string? ckptPath)
    {
        var rank = LaunchEnvironment.Detect()?.GlobalRank ?? 0;

        // A resumed run starts from other weights: they must come from the checkpoint.
        Seeding.SeedEverything(ckptPath is null ? 1 : 99);
        using var module = new DropoutRegression();
        var (x, y) = Data();
        using var train = TensorDataLoader.Create(x, y, 32, (a, b) => new XYBatch(a, b), shuffle: true, ownsTensors: true);
        using var trainer = new Trainer(
            new TrainerOptions { MaxEpochs = 3, Seed = 7, Device = "cpu", Strategy = "ddp", EnableLogging = false, EnableProgressBar = false, HandleInterrupts = false },
            callbacks: [new Volt.Callbacks.ModelCheckpoint { DirPath = checkpoints, EveryNTrainSteps = 3, SaveTopK = 0 }, new KillAfterStep(killAt)]);
        trainer.Fit(module, train, ckptPath: ckptPath);
        WriteWeights(module, $"{output}.{rank}");
        return 0;
    }

    public static int Checkpoint(string root)
    {
        Seeding.SeedEverything(1);
        using var module = new TinyRegression();
        var (train, validation) = TrainAndValidation();
        using var trainLoader = train;
        using var validationLoader = validation;
        using var trainer = new Trainer(
            new TrainerOptions { MaxEpochs = 2, Seed = 7, Device = "cpu", Strategy = "ddp", DefaultRootDir = root, RunName = "ddp", EnableProgressBar = false, HandleInterrupts = false },
            callbacks: [new Volt.Callbacks.ModelCheckpoint { Monitor = "val_loss", SaveTopK = 1 }]);
        trainer.Fit(module, train, validation);
        Console.WriteLine($"logdir on rank {trainer.Strategy.GlobalRank}: {trainer.LogDir}");
        return 0;
    }

    private static void WriteWeights(nn.Module module, string file)
    {
        var weights = module.parameters().SelectMany(p => p.detach().cpu().data<float>().ToArray()).ToArray();
        var bytes = new byte[weights.Length * sizeof(float)];
        Buffer.BlockCopy(weights, 0, bytes, 0, bytes.Length);
        File.WriteAllBytes(file, bytes);
    }

    /// <summary>Rank 1 ends itself with SIGKILL right after global step <c>step</c> (0: never), as a crashed node would.</summary>
    private sealed class KillAfterStep(int step) : Volt.Callbacks.Callback
    {
        public override void OnTrainBatchEnd(Volt.Callbacks.CallbackContext context, int batchIndex)
        {
            if (step > 0 && context.GlobalStep == step && context.Strategy.GlobalRank == 1)
            {
                Console.WriteLine($"rank 1 kills itself after global step {step}");
                Console.Out.Flush();
                Process.GetCurrentProcess().Kill();
                Thread.Sleep(Timeout.Infinite);
            }
        }
    }

    /// <summary>Shuffled training batches of 32 over the data set, and its first 64 samples for validation.</summary>
    private static (TensorDataLoader<XYBatch> Train, TensorDataLoader<XYBatch> Validation) TrainAndValidation()
    {
        var (x, y) = Data();
        var train = TensorDataLoader.Create(x, y, 32, (a, b) => new XYBatch(a, b), shuffle: true, ownsTensors: true);
        return (train, TensorDataLoader.Create(x.narrow(0, 0, 64), y.narrow(0, 0, 64), 32, (a, b) => new XYBatch(a, b)));
    }

    /// <summary>The same seeded data set in every process.</summary>
    private static (Tensor X, Tensor Y) Data()
    {
        using var generator = new torch.Generator(123);
        var x = torch.randn([Samples, 4], generator: generator);
        using var w = torch.tensor(new float[] { 0.5f, -1f, 2f, 0.25f });
        var y = x.matmul(w) + (0.1 * torch.randn([Samples], generator: generator));
        return (x, y);
    }
}

internal static class Faults
{
    public static int Throw()
    {
        using var ddp = new DdpStrategy(MpiProcessGroup.Open(), torch.CPU);
        ddp.Barrier();
        if (ddp.GlobalRank == 1)
        {
            throw new InvalidOperationException("deliberate failure on rank 1");
        }

        ddp.Barrier(); // never completes: rank 1 is gone
        return 0;
    }

    public static int SigKill()
    {
        using var ddp = new DdpStrategy(MpiProcessGroup.Open(), torch.CPU);
        ddp.Barrier();
        if (ddp.GlobalRank == 1)
        {
            Console.WriteLine($"rank 1 kills itself at {DateTime.UtcNow:O}");
            Console.Out.Flush();
            Process.GetCurrentProcess().Kill();
            Thread.Sleep(Timeout.Infinite);
        }

        ddp.Barrier(); // never completes: rank 1 is gone
        return 0;
    }
}
