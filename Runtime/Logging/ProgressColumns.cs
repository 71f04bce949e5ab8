using System;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Volt.Logging;

/// <summary>The batch count <c>i/N</c> of a live progress bar.</summary>
internal sealed class BatchCountColumn : ProgressColumn
{
    protected override bool NoWrap => true;

    public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
        => new Text($"{(long)task.Value}/{(long)task.MaxValue}");
}

/// <summary>Elapsed and remaining time, <c>0:00:05 • 0:00:14</c> (Rich's time columns as Lightning shows them).</summary>
internal sealed class TimesColumn : ProgressColumn
{
    protected override bool NoWrap => true;

    public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
        => new Text($"{ProgressText.Duration(task.ElapsedTime)} • {ProgressText.Duration(task.IsFinished ? TimeSpan.Zero : task.RemainingTime)}", new Style(decoration: Decoration.Dim));
}

/// <summary>
/// Batches per second: Spectre.Console's recent speed, or the phase's average when it has fewer than two
/// samples (a phase shorter than one refresh, or a one-batch test), so a finished bar never shows "?".
/// </summary>
internal sealed class SpeedColumn : ProgressColumn
{
    protected override bool NoWrap => true;

    public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
        => new Text(ProgressText.Speed(task.Speed ?? AverageSpeed(task)), new Style(decoration: Decoration.Dim | Decoration.Underline));

    private static double? AverageSpeed(ProgressTask task)
        => task.ElapsedTime is { TotalSeconds: > 0 } elapsed && task.Value > 0 ? task.Value / elapsed.TotalSeconds : null;
}

/// <summary>The progress-bar metrics, kept as text in the task's <see cref="ProgressTask.Tag"/>.</summary>
internal sealed class MetricsColumn : ProgressColumn
{
    public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
        => new Text(task.Tag as string ?? string.Empty, new Style(decoration: Decoration.Italic));
}
