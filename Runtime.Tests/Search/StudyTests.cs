using System;
using System.IO;
using System.Linq;
using Volt.Search;
using Volt.Search.Pruners;
using Volt.Search.Samplers;

namespace Volt.Runtime.Tests.Search;

public sealed class StudyTests
{
    [Fact]
    public void AFailingObjectiveIsRecordedWithItsErrorAndRethrownByDefault()
    {
        var study = new Study(new StudyOptions { Sampler = new RandomSampler(0) });
        var error = Assert.Throws<InvalidOperationException>(() => study.Optimize(3, _ => throw new InvalidOperationException("out of data")));
        Assert.Equal("out of data", error.Message);

        var trial = Assert.Single(study.Trials);
        Assert.Equal(TrialState.Fail, trial.State);
        Assert.Equal("InvalidOperationException: out of data", trial.FailReason);
    }

    [Fact]
    public void WithContinueAfterFailedTrialEveryFailureIsRecordedAndNothingIsRetried()
    {
        var log = new StringWriter();
        var calls = 0;
        var study = new Study(new StudyOptions { Sampler = new RandomSampler(0), ContinueAfterFailedTrial = true, Log = log });
        study.Optimize(4, trial =>
        {
            calls++;
            var x = trial.SuggestFloat("x", 0, 1);
            return trial.Number switch
            {
                1 => throw new ArgumentException("bad batch"),
                2 => double.NaN,
                _ => x,
            };
        });

        Assert.Equal(4, calls);
        Assert.Equal([TrialState.Complete, TrialState.Fail, TrialState.Fail, TrialState.Complete], study.Trials.Select(t => t.State));
        Assert.Equal("ArgumentException: bad batch", study.Trials[1].FailReason);
        Assert.Equal("The objective returned NaN.", study.Trials[2].FailReason);
        Assert.Contains("Trial 1 failed: ArgumentException: bad batch", log.ToString());
        Assert.Contains(study.BestTrial.Number, new[] { 0, 3 });
    }

    [Fact]
    public void BestTrialFollowsTheDirection()
    {
        var minimize = new Study(new StudyOptions { Sampler = new RandomSampler(1) });
        var maximize = new Study(new StudyOptions { Sampler = new RandomSampler(1), Direction = StudyDirection.Maximize });
        minimize.Optimize(10, t => t.SuggestFloat("x", -1, 1));
        maximize.Optimize(10, t => t.SuggestFloat("x", -1, 1));
        Assert.Equal(minimize.Trials.Min(t => t.Value), minimize.BestTrial.Value);
        Assert.Equal(maximize.Trials.Max(t => t.Value), maximize.BestTrial.Value);
    }

    [Fact]
    public void OptimizeUntilStopsAtTheStudyBudget()
    {
        var study = new Study(new StudyOptions { Sampler = new RandomSampler(2) });
        study.Optimize(3, t => t.SuggestFloat("x", 0, 1));
        study.OptimizeUntil(5, t => t.SuggestFloat("x", 0, 1));
        Assert.Equal([0, 1, 2, 3, 4], study.Trials.Select(t => t.Number));
    }

    [Fact]
    public void ReSuggestingANameWithAnotherDistributionIsAnError()
    {
        var study = new Study(new StudyOptions { Sampler = new RandomSampler(2) });
        var error = Assert.Throws<ArgumentException>(() => study.Optimize(1, t => t.SuggestFloat("x", 0, 1) + t.SuggestFloat("x", 0, 2)));
        Assert.Contains("'x'", error.Message);
    }

    [Fact]
    public void InvalidRangesAreRejectedWithTheParameterName()
    {
        var study = new Study(new StudyOptions { Sampler = new RandomSampler(2) });
        Assert.Contains("'lr'", Assert.Throws<ArgumentException>(() => study.Optimize(1, t => t.SuggestFloat("lr", 0, 1, log: true))).Message);
        Assert.Contains("'n'", Assert.Throws<ArgumentException>(() => study.Optimize(1, t => t.SuggestInt("n", 5, 1))).Message);
    }

    [Fact]
    public void TheReportWritesATableAndAHistoryPlot()
    {
        var directory = Path.Combine(Path.GetTempPath(), "volt-study-report-" + Guid.NewGuid().ToString("N"));
        try
        {
            var study = new Study(new StudyOptions { Name = "report", Sampler = new RandomSampler(4), ContinueAfterFailedTrial = true });
            study.Optimize(5, t => t.Number == 2 ? throw new InvalidOperationException("boom") : t.SuggestFloat("lr", 1e-4, 1e-1, log: true));
            var console = new StringWriter();
            var (table, history) = StudyReport.Write(study, directory, console);

            var lines = File.ReadAllLines(table);
            Assert.Equal("number,state,value,params_lr,duration_s,fail_reason", lines[0]);
            Assert.Equal(6, lines.Length);
            Assert.StartsWith("2,FAIL,,", lines[3]);
            Assert.EndsWith("InvalidOperationException: boom", lines[3]);
            var png = File.ReadAllBytes(history);
            Assert.True(png.Length > 1000);
            Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, png.Take(4));
            Assert.Contains($"best is trial {study.BestTrial.Number}", console.ToString());
            Assert.Contains("4 complete, 1 fail", console.ToString());
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }
}
