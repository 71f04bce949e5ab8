using System;
using static TorchSharp.torch;

namespace Volt.Runtime.Tests.Training;

/// <summary>A temporary run root and a small linear-regression data set, freed after each test.</summary>
public abstract class TrainingTest : IDisposable
{
    private protected TrainingTest(int samples)
    {
        (X, Y) = TestData.Linear(samples);
    }

    private protected TempRoot Root { get; } = new();

    private protected Tensor X { get; }

    private protected Tensor Y { get; }

    public void Dispose()
    {
        X.Dispose();
        Y.Dispose();
        Root.Dispose();
        GC.SuppressFinalize(this);
    }
}
