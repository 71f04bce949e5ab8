using System;
using System.Globalization;
using System.IO;
using System.Threading;
using Volt.Search;
using Volt.Search.Pruners;
using Volt.Search.Samplers;
using Volt.Search.Storages;

// Usage: worker <npgsql connection string> <study> <study trials> <trial milliseconds> <journal file> [hang]
// Runs the study's trials until it holds <study trials> in all, appending "<trial number>" to the
// journal as each trial starts. With "hang" the first trial never returns (the test kills the process).
if (args.Length is < 5 or > 6)
{
    Console.Error.WriteLine("usage: worker <connection> <study> <study trials> <trial ms> <journal> [hang]");
    return 2;
}

var (connection, studyName, journal) = (args[0], args[1], args[4]);
var studyTrials = int.Parse(args[2], CultureInfo.InvariantCulture);
var trialMilliseconds = int.Parse(args[3], CultureInfo.InvariantCulture);
var hang = args.Length == 6 && args[5] == "hang";

using var storage = new PostgresStudyStorage(connection);
var study = new Study(new StudyOptions
{
    Name = studyName,
    Storage = storage,
    Sampler = new RandomSampler(Environment.ProcessId),
    Pruner = new NopPruner(),
    HeartbeatInterval = TimeSpan.FromMilliseconds(300),
    GracePeriod = TimeSpan.FromSeconds(2),
});

study.OptimizeUntil(studyTrials, trial =>
{
    var x = trial.SuggestFloat("x", -1, 1);
    File.AppendAllText(journal, trial.Number.ToString(CultureInfo.InvariantCulture) + "\n");
    Thread.Sleep(hang ? Timeout.Infinite : trialMilliseconds);
    return x * x;
});
return 0;
