using System;
using System.IO;

namespace Volt.Runtime.Tests.Training;

/// <summary>A temporary run root that is deleted after the test.</summary>
internal sealed class TempRoot : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "volt-tests-" + Guid.NewGuid().ToString("N"));

    public TrainerOptions Options(int maxEpochs) => new()
    {
        MaxEpochs = maxEpochs,
        DefaultRootDir = Path,
        EnableProgressBar = false,
        EnableModelSummary = false,
        PlotCurves = false,
        Device = "cpu",
    };

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
