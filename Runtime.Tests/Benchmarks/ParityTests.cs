using System.Linq;
using Volt.Benchmarks;
using Volt.Data;

namespace Volt.Runtime.Tests.Benchmarks;

/// <summary>
/// The correctness behind the benchmark numbers, on tiny sizes (the timings themselves run only in
/// Benchmarks/Volt.Benchmarks): the generated loop and the hand-written loop do the same work.
/// </summary>
public sealed class ParityTests
{
    [Fact]
    public void GeneratedAndHandWrittenLoopsGiveBitIdenticalMlpWeights()
    {
        using var data = FashionMnist.Load();
        using var train = data.Train.ToLoader(64, shuffle: true, seed: Workloads.Seed);

        using var generated = Workloads.TrainMlpGenerated(train, epochs: 1, maxSteps: 30);
        using var hand = Workloads.TrainMlpByHand(train, epochs: 1, maxSteps: 30);
        using var untrained = NewMlp();

        Assert.Equal(ModelFingerprint.Sha256(hand), ModelFingerprint.Sha256(generated));
        Assert.NotEqual(ModelFingerprint.Sha256(untrained), ModelFingerprint.Sha256(generated));
    }

    [Fact]
    public void GeneratedAndHandWrittenLoopsGiveBitIdenticalTinyWeightsAcrossEpochs()
    {
        using var data = Workloads.TinyData(80);
        using var generated = Workloads.TrainTinyGenerated(data, steps: 35);
        using var hand = Workloads.TrainTinyByHand(data, steps: 35);
        using var shorter = Workloads.TrainTinyByHand(data, steps: 34);

        Assert.Equal(ModelFingerprint.Sha256(hand), ModelFingerprint.Sha256(generated));
        Assert.NotEqual(ModelFingerprint.Sha256(shorter), ModelFingerprint.Sha256(generated));
    }

    [Fact]
    public void GeneratorBenchmarkInputGeneratesCleanCachedCode()
    {
        var benchmark = new GeneratorBenchmark(moduleCount: 4);
        Assert.Empty(benchmark.Check());
        var (_, driver) = benchmark.RunCold();
        var (_, result) = benchmark.RunAfterEdit(driver);
        Assert.Equal(4, result.GeneratedTrees.Length);
    }

    private static BenchMlp NewMlp()
    {
        Seeding.SeedEverything(Workloads.Seed);
        return new BenchMlp();
    }
}
