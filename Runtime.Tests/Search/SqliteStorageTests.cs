using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using Volt.Search;
using Volt.Search.Pruners;
using Volt.Search.Samplers;
using Volt.Search.Storages;

namespace Volt.Runtime.Tests.Search;

public sealed class SqliteStorageTests : IDisposable
{
    private const string ReadStudy = """
        import json, math, sys
        import optuna
        optuna.logging.set_verbosity(optuna.logging.WARNING)
        study = optuna.load_study(study_name=sys.argv[2], storage=sys.argv[1])
        def number(v):
            return None if v is None or (isinstance(v, float) and not math.isfinite(v)) else v
        print(json.dumps({
            "direction": study.direction.name,
            "best": study.best_trial.number,
            "trials": [{
                "number": t.number,
                "state": t.state.name,
                "value": number(t.value),
                "params": t.params,
                "intermediate": {str(k): (v if math.isfinite(v) else repr(v)) for k, v in t.intermediate_values.items()},
                "fail_reason": t.system_attrs.get("fail_reason"),
            } for t in study.trials],
        }))
        """;

    private const string WriteStudy = """
        import sys
        import optuna
        optuna.logging.set_verbosity(optuna.logging.WARNING)
        study = optuna.create_study(study_name="from_python", storage=sys.argv[1], direction="maximize", sampler=optuna.samplers.RandomSampler(seed=1))
        def objective(trial):
            lr = trial.suggest_float("lr", 1e-5, 1e-1, log=True)
            width = trial.suggest_int("width", 16, 256, step=16)
            act = trial.suggest_categorical("act", ["relu", "tanh"])
            trial.report(lr * 2, 0)
            return lr + width
        study.optimize(objective, n_trials=3)
        print(study.best_trial.number)
        """;

    private readonly string directory = Path.Combine(Path.GetTempPath(), "volt-sqlite-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void PythonOptunaLoadsAStudyVoltWrote()
    {
        var path = Path.Combine(directory, "study.db");
        using (var storage = new SqliteStudyStorage(path))
        {
            var study = new Study(new StudyOptions { Name = "volt", Direction = StudyDirection.Maximize, Storage = storage, Sampler = new TpeSampler(2, startupTrials: 3), Pruner = new NopPruner(), ContinueAfterFailedTrial = true });
            study.Optimize(6, trial =>
            {
                var lr = trial.SuggestFloat("lr", 1e-5, 1e-1, log: true);
                var width = trial.SuggestInt("width", 16, 256, step: 16);
                var activation = trial.SuggestCategorical("act", ["relu", "tanh"]);
                var useBias = trial.SuggestCategorical("bias", [true, false]);
                trial.Report(lr, 0);
                trial.Report(double.PositiveInfinity, 1);
                return trial.Number switch
                {
                    3 => throw new InvalidOperationException("diverged"),
                    4 => throw new TrialPrunedException(),
                    _ => (lr * 10) + (width / 256.0) + (activation == "tanh" ? 1 : 0) + (useBias ? 0.5 : 0),
                };
            });

            var json = PythonOptuna.Run(ReadStudy, storage.Url, "volt");
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            Assert.Equal("MAXIMIZE", root.GetProperty("direction").GetString());
            Assert.Equal(study.BestTrial.Number, root.GetProperty("best").GetInt32());
            var pythonTrials = root.GetProperty("trials").EnumerateArray().ToList();
            var voltTrials = study.Trials;
            Assert.Equal(6, pythonTrials.Count);
            for (var i = 0; i < 6; i++)
            {
                var python = pythonTrials[i];
                var volt = voltTrials[i];
                Assert.Equal(volt.Number, python.GetProperty("number").GetInt32());
                Assert.Equal(volt.State.ToString().ToUpperInvariant(), python.GetProperty("state").GetString());
                var parameters = python.GetProperty("params");
                Assert.Equal((double)volt.Params["lr"]!, parameters.GetProperty("lr").GetDouble());
                Assert.Equal((long)volt.Params["width"]!, parameters.GetProperty("width").GetInt64());
                Assert.Equal((string)volt.Params["act"]!, parameters.GetProperty("act").GetString());
                Assert.Equal((bool)volt.Params["bias"]!, parameters.GetProperty("bias").GetBoolean());
                Assert.Equal((double)volt.Params["lr"]!, python.GetProperty("intermediate").GetProperty("0").GetDouble());
                Assert.Equal("inf", python.GetProperty("intermediate").GetProperty("1").GetString());
                if (volt.Value is { } value && double.IsFinite(value))
                {
                    Assert.Equal(value, python.GetProperty("value").GetDouble());
                }
            }

            Assert.Equal("InvalidOperationException: diverged", pythonTrials[3].GetProperty("fail_reason").GetString());
            Assert.Equal(JsonValueKind.Null, pythonTrials[3].GetProperty("value").ValueKind);
        }
    }

    [Fact]
    public void VoltReadsAndContinuesAStudyPythonOptunaWrote()
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "python.db");
        var best = int.Parse(PythonOptuna.Run(WriteStudy, "sqlite:///" + path).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        using var storage = new SqliteStudyStorage(path);
        var study = new Study(new StudyOptions { Name = "from_python", Direction = StudyDirection.Maximize, Storage = storage, Sampler = new RandomSampler(5) });
        Assert.Equal(3, study.Trials.Count);
        Assert.Equal(best, study.BestTrial.Number);
        Assert.All(study.Trials, t =>
        {
            Assert.Equal(TrialState.Complete, t.State);
            Assert.Equal(new FloatDistribution(1e-5, 1e-1, Log: true), t.Distributions["lr"]);
            Assert.Equal(new IntDistribution(16, 256, Step: 16), t.Distributions["width"]);
            Assert.Contains((string)t.Params["act"]!, new[] { "relu", "tanh" });
            Assert.Equal((double)t.Params["lr"]! + (long)t.Params["width"]!, t.Value!.Value, 1e-9);
        });

        study.Optimize(2, trial => trial.SuggestFloat("lr", 1e-5, 1e-1, log: true) + trial.SuggestInt("width", 16, 256, step: 16));
        Assert.Equal([0, 1, 2, 3, 4], study.Trials.Select(t => t.Number));
    }

    [Fact]
    public void AnotherSchemaVersionIsRefusedWithTheRevision()
    {
        var path = Path.Combine(directory, "old.db");
        using (new SqliteStudyStorage(path))
        {
        }

        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=" + path + ";Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE alembic_version SET version_num = 'v2.6.0.a'";
            command.ExecuteNonQuery();
        }

        var error = Assert.Throws<InvalidOperationException>(() => new SqliteStudyStorage(path));
        Assert.Contains("v2.6.0.a", error.Message);
    }
}
