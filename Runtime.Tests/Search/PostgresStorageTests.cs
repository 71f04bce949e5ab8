using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Threading;
using Volt.Search;
using Volt.Search.Pruners;
using Volt.Search.Samplers;
using Volt.Search.Storages;

namespace Volt.Runtime.Tests.Search;

/// <summary>Several worker processes on one PostgreSQL study (Runtime.Tests.Worker).</summary>
public sealed class PostgresStorageTests(PostgresCluster cluster) : IClassFixture<PostgresCluster>, IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("volt-workers-").FullName;
    private readonly List<Process> workers = [];

    public void Dispose()
    {
        foreach (var worker in workers)
        {
            if (!worker.HasExited)
            {
                worker.Kill();
                worker.WaitForExit();
            }

            worker.Dispose();
        }

        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public void ThreeWorkersRunExactlyTheRequestedTrialsAndNoTrialTwice()
    {
        const int StudyTrials = 15;
        var study = "three_workers_" + Guid.NewGuid().ToString("N");
        var journals = Enumerable.Range(0, 3).Select(i => Path.Combine(directory, $"worker{i}.txt")).ToList();
        foreach (var journal in journals)
        {
            Start(study, StudyTrials, trialMilliseconds: 150, journal);
        }

        foreach (var worker in workers)
        {
            Assert.True(worker.WaitForExit(TimeSpan.FromMinutes(3)), "a worker did not finish");
            Assert.True(worker.ExitCode == 0, $"a worker failed: {worker.StandardError.ReadToEnd()}");
        }

        var started = journals.SelectMany(j => File.Exists(j) ? File.ReadAllLines(j) : []).Select(int.Parse).ToList();
        Assert.Equal(Enumerable.Range(0, StudyTrials), started.Order());
        Assert.True(journals.Count(j => File.Exists(j) && File.ReadAllLines(j).Length > 0) >= 2, "the trials should be spread over several workers");

        using var storage = new PostgresStudyStorage(cluster.ConnectionString);
        var trials = new Study(new StudyOptions { Name = study, Storage = storage }).Trials;
        Assert.Equal(Enumerable.Range(0, StudyTrials), trials.Select(t => t.Number));
        Assert.All(trials, t => Assert.Equal(TrialState.Complete, t.State));
    }

    [Fact]
    public void AWorkerKilledMidTrialHasItsTrialFailedAfterTheHeartbeatTimeout()
    {
        var study = "killed_worker_" + Guid.NewGuid().ToString("N");
        var journal = Path.Combine(directory, "hung.txt");
        var worker = Start(study, studyTrials: 5, trialMilliseconds: 0, journal, hang: true);
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (!(File.Exists(journal) && File.ReadAllText(journal).Trim() == "0"))
        {
            Assert.True(DateTime.UtcNow < deadline && !worker.HasExited, "the worker never started its trial");
            Thread.Sleep(100);
        }

        using var storage = new PostgresStudyStorage(cluster.ConnectionString);
        var options = new StudyOptions { Name = study, Storage = storage, Sampler = new RandomSampler(1), Pruner = new NopPruner(), HeartbeatInterval = TimeSpan.FromMilliseconds(300), GracePeriod = TimeSpan.FromSeconds(2) };
        var observer = new Study(options);

        // Alive, the worker's heartbeats keep its trial RUNNING past the grace period.
        Thread.Sleep(TimeSpan.FromSeconds(3));
        Assert.Empty(storage.FailStaleTrials(observer.StudyId, TimeSpan.FromSeconds(2)));
        Assert.Equal(TrialState.Running, Assert.Single(observer.Trials).State);

        worker.Kill();
        worker.WaitForExit();
        Thread.Sleep(TimeSpan.FromSeconds(3));

        // The next trial any worker starts sweeps the stale one first.
        observer.Optimize(1, trial => trial.SuggestFloat("x", -1, 1));
        var trials = observer.Trials;
        Assert.Equal(TrialState.Fail, trials[0].State);
        Assert.Contains("no heartbeat", trials[0].FailReason);
        Assert.Equal(TrialState.Complete, trials[1].State);
        Assert.Equal(2, trials.Count);
    }

    [Fact]
    public void AFinishedTrialCannotBeOverwritten()
    {
        using var storage = new PostgresStudyStorage(cluster.ConnectionString);
        var id = storage.CreateOrJoinStudy("finish_once_" + Guid.NewGuid().ToString("N"), StudyDirection.Minimize);
        var trial = storage.TryCreateTrial(id, maxTrials: 1)!;
        Assert.Null(storage.TryCreateTrial(id, maxTrials: 1));
        storage.FinishTrial(trial.TrialId, TrialState.Complete, 1.5);
        Assert.Throws<InvalidOperationException>(() => storage.FinishTrial(trial.TrialId, TrialState.Fail, null));
        Assert.Equal(1.5, Assert.Single(storage.GetAllTrials(id)).Value);
    }

    private Process Start(string study, int studyTrials, int trialMilliseconds, string journal, bool hang = false)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = false };
        start.ArgumentList.Add(WorkerPath());
        start.ArgumentList.Add(cluster.ConnectionString);
        start.ArgumentList.Add(study);
        start.ArgumentList.Add(studyTrials.ToString(System.Globalization.CultureInfo.InvariantCulture));
        start.ArgumentList.Add(trialMilliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        start.ArgumentList.Add(journal);
        if (hang)
        {
            start.ArgumentList.Add("hang");
        }

        var process = Process.Start(start)!;
        workers.Add(process);
        return process;
    }

    private static string WorkerPath()
    {
        // Runtime.Tests/bin/<configuration>/net10.0/<rid>/ → Runtime.Tests.Worker/bin/<configuration>/net10.0/
        var configuration = typeof(PostgresStorageTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;
        var repository = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", ".."));
        var output = Path.Combine(repository, "Runtime.Tests.Worker", "bin", configuration, "net10.0");
        var candidates = new[] { output }.Concat(Directory.Exists(output) ? Directory.GetDirectories(output) : []).Select(d => Path.Combine(d, "Volt.Runtime.Tests.Worker.dll"));
        return candidates.FirstOrDefault(File.Exists) ?? throw new FileNotFoundException($"The study worker is not built under {output}; build Runtime.Tests (it references Runtime.Tests.Worker).");
    }
}
