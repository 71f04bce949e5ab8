using System;
using System.IO;
using Volt.Logging;

namespace Volt.Profiling;

/// <summary>
/// Shows a <see cref="SimpleProfiler"/>'s report when its trainer call ends (Lightning's
/// <c>profiler.describe()</c>): on the trainer's console, as a table on a terminal and plain text otherwise
/// (as the model summary), and as plain text in <c>{stage}-profiler.txt</c> in the run directory when there is one.
/// </summary>
internal static class ProfilerOutput
{
    /// <summary>After a call that succeeded: an error writing the file propagates (the call then fails).</summary>
    public static void AfterSuccess(SimpleProfiler profiler, TextWriter console, string? runDirectory)
        => Show(profiler.Report(outcome: null), console, runDirectory);

    /// <summary>
    /// After a call that failed or was interrupted: the report of what ran until then. An error writing the
    /// file is printed instead of thrown, so the error that ended the call is the one that propagates.
    /// </summary>
    public static void AfterFailure(SimpleProfiler profiler, RunStatus status, TextWriter console, string? runDirectory)
    {
        var report = profiler.Report(status == RunStatus.Interrupted ? "interrupted" : "failed");
        try
        {
            Show(report, console, runDirectory);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            console.WriteLine($"The profiler report could not be written to {Path.Combine(runDirectory ?? "", ProfilerReport.FileName(report.Stage))} ({error.GetType().Name}: {error.Message}); the error that ended the trainer call is rethrown.");
            console.Flush();
        }
    }

    private static void Show(ProfilerReport report, TextWriter console, string? runDirectory)
    {
        if (ProgressReporters.IsLive(console))
        {
            report.Write(Spectre.Console.AnsiConsole.Console);
        }
        else
        {
            report.Write(console);
        }

        if (runDirectory is not null)
        {
            report.WriteFile(runDirectory);
        }
    }
}
