using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using Spectre.Console;
using Volt.Logging;
using Volt.Loops;
using Volt.Runtime.Tests.Checkpoints;
using Volt.Runtime.Tests.Training;

namespace Volt.Runtime.Tests.Logging;

/// <summary>
/// The live progress display on a real terminal: tmux interprets what Spectre.Console writes (colours,
/// cursor movements) and <c>capture-pane</c> gives back the screen a user would see.
/// </summary>
public sealed class LiveProgressUnderTmuxTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    // Escape sequences that reached the screen as text instead of being interpreted by the terminal.
    private static readonly Regex ControlGarbage = new(@"\x1b|\[\??\d+(;\d+)*[A-HJKSTfhlmsu]", RegexOptions.Compiled);

    private readonly TempRoot root = new();

    [Fact]
    public void TheSampleDrawsLiveBarsAndLeavesOneFinishedBarPerEpoch()
    {
        // CI=true (as .ci/run sets it) would choose the plain lines; the pane is a terminal, so without it the bars are live.
        using var pane = new TmuxPane(150, 50, $"env -u CI dotnet '{SampleProcess.Assembly}' --root '{root.Path}' --epochs 2 --limit-train-batches 20 --limit-val-batches 2 --limit-test-batches 1");
        pane.WaitFor(_ => pane.HasExited, "the sample's end", TimeSpan.FromMinutes(3));
        var screen = pane.Capture(history: true);
        Assert.True(pane.ExitStatus == 0, $"the sample failed ({pane.ExitStatus}):\n{screen}");

        var lines = screen.Split('\n');
        foreach (var epoch in new[] { 0, 1 })
        {
            var bar = new Regex($@"^Epoch {epoch}/1 ━+ 20/20 \d:\d\d:\d\d • 0:00:00 \d+\.\d\d it/s loss: \d\.\d{{3}} val_loss: \d\.\d{{3}} val_acc: \d\.\d{{3}} train_loss: \d\.\d{{3}}$");
            Assert.True(lines.Count(line => bar.IsMatch(line)) == 1, $"expected one finished bar for epoch {epoch}:\n{screen}");
            Assert.True(lines.Count(line => line.StartsWith($"Epoch {epoch}/1 ", StringComparison.Ordinal)) == 1, $"epoch {epoch}'s bar was drawn more than once:\n{screen}");
        }

        Assert.Single(lines, line => Regex.IsMatch(line, @"^Testing ━+ 1/1 "));
        Assert.DoesNotContain(lines, line => line.StartsWith("Validation", StringComparison.Ordinal));
        Assert.Contains(lines, line => Regex.IsMatch(line, @"^test_acc: 0\.\d{4}$"));
        Assert.DoesNotMatch(ControlGarbage, screen);
    }

    [Fact]
    public void TheValidationBarShowsUnderTheTrainingBarAndLeavesWhenItEnds()
    {
        using var pane = new TmuxPane(150, 12, "sleep 600");
        using var terminal = new StreamWriter(new FileStream(pane.TerminalPath, FileMode.Open, FileAccess.Write)) { AutoFlush = true };
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.Yes,
            ColorSystem = ColorSystemSupport.EightBit,
            Interactive = InteractionSupport.Yes,
            Out = new AnsiConsoleOutput(terminal),
        });
        console.Profile.Width = 150;
        console.Profile.Height = 12;

        var refresh = TimeSpan.FromMilliseconds(50);
        var metrics = new MetricCollector(RunPhase.Train);
        using var loss = new TrainingLoss();
        var screens = new List<string>();
        using (var progress = new LiveProgress(console, refresh))
        {
            progress.OnTrainEpochStart(0, 2, 10);
            for (var batch = 0; batch < 3; batch++)
            {
                metrics.Log("train_acc", 0.75, onStep: true, onEpoch: false, progressBar: true, MetricReduce.Mean, batchSize: null);
                Thread.Sleep(refresh * 1.5);
                progress.OnTrainBatchEnd(batch, 10, metrics, loss);
            }

            var training = new Regex(@"^Epoch 0/1 +━+ 3/10 \d:\d\d:\d\d • \d:\d\d:\d\d \d+\.\d\d it/s train_acc: 0\.750$", RegexOptions.Multiline);
            screens.Add(pane.WaitFor(training.IsMatch, "the training bar at 3/10 with times, speed and metrics", Patience));

            progress.OnEvaluationStart(RunPhase.Validation, 4);
            Thread.Sleep(refresh * 1.5);
            progress.OnEvaluationBatchEnd(RunPhase.Validation, 0, 4);
            var nested = new Regex(@"^Epoch 0/1 +━+ 3/10 .*\nValidation ━+ 1/4 ", RegexOptions.Multiline);
            screens.Add(pane.WaitFor(nested.IsMatch, "the validation bar at 1/4 on the line under the training bar", Patience));

            progress.OnEvaluationEnd(RunPhase.Validation);
            screens.Add(pane.WaitFor(screen => training.IsMatch(screen) && !screen.Contains("Validation", StringComparison.Ordinal), "the training bar without the validation bar", Patience));

            for (var batch = 3; batch < 10; batch++)
            {
                progress.OnTrainBatchEnd(batch, 10, metrics, loss);
            }

            progress.OnTrainEpochEnd(0, 2, new Dictionary<string, double> { ["val_loss"] = 0.25 }, loss);
        }

        var finished = pane.Capture(history: true);
        screens.Add(finished);
        Assert.Single(finished.Split('\n'), line => Regex.IsMatch(line, @"^Epoch 0/1 ━+ 10/10 \d:\d\d:\d\d • 0:00:00 \d+\.\d\d it/s val_loss: 0\.250$"));
        Assert.DoesNotContain("Validation", finished, StringComparison.Ordinal);
        Assert.All(screens, screen => Assert.DoesNotMatch(ControlGarbage, screen));
    }

    public void Dispose() => root.Dispose();
}
