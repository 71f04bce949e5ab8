using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using Volt.Logging;
using Volt.Runtime.Tests.Training;

namespace Volt.Runtime.Tests.Logging;

/// <summary>The MLflow logger's requests, checked against the REST API's schema by a loopback server.</summary>
public sealed class MlflowLoggerTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);
    private readonly TempRoot root = new();
    private readonly MlflowTestServer server = new("existing");

    [Fact]
    public void ARunIsCreatedLoggedAndTerminatedWithItsStatus()
    {
        var runDirectory = Directory.CreateDirectory(Path.Combine(root.Path, "runs", "mlp", "version_3")).FullName;
        using var logger = new MlflowLogger(server.Uri, experimentName: null, runName: null, new ManualClock(Now));
        logger.Open(runDirectory);
        logger.LogHyperparameters(new Dictionary<string, object?> { ["lr"] = 0.01, ["model"] = "mlp", ["shuffle"] = true, ["hidden"] = 64L, ["scheduler"] = null });
        logger.LogMetrics(new Dictionary<string, double> { ["train_loss"] = 0.5, ["val_acc"] = 0.75 }, 49);
        logger.Finish(RunStatus.Interrupted);

        Assert.Empty(server.Problems);
        var requests = server.Requests.ToList();
        Assert.Equal(
            ["GET experiments/get-by-name", "POST experiments/create", "POST runs/create", "POST runs/log-batch", "POST runs/log-batch", "POST runs/update"],
            requests.Select(r => r.Request));
        Assert.Equal("mlp", requests[0].Body.GetProperty("experiment_name").GetString());
        Assert.Equal("mlp", requests[1].Body.GetProperty("name").GetString());
        Assert.Equal("8", requests[2].Body.GetProperty("experiment_id").GetString());
        Assert.Equal("version_3", requests[2].Body.GetProperty("run_name").GetString());
        Assert.Equal(Now.ToUnixTimeMilliseconds(), requests[2].Body.GetProperty("start_time").GetInt64());

        var parameters = requests[3].Body.GetProperty("params").EnumerateArray().ToDictionary(p => p.GetProperty("key").GetString()!, p => p.GetProperty("value").GetString());
        Assert.Equal(new Dictionary<string, string?> { ["lr"] = "0.01", ["model"] = "mlp", ["shuffle"] = "True", ["hidden"] = "64", ["scheduler"] = "None" }, parameters);
        Assert.Equal("run-1", requests[3].Body.GetProperty("run_id").GetString());

        var metrics = requests[4].Body.GetProperty("metrics").EnumerateArray().ToList();
        Assert.Equal(["train_loss", "val_acc"], metrics.Select(m => m.GetProperty("key").GetString()));
        Assert.Equal([0.5, 0.75], metrics.Select(m => m.GetProperty("value").GetDouble()));
        Assert.All(metrics, m => Assert.Equal(49, m.GetProperty("step").GetInt64()));
        Assert.All(metrics, m => Assert.Equal(Now.ToUnixTimeMilliseconds(), m.GetProperty("timestamp").GetInt64()));

        Assert.Equal("KILLED", requests[5].Body.GetProperty("status").GetString());
        Assert.Equal("run-1", requests[5].Body.GetProperty("run_id").GetString());
        Assert.Equal("run-1", logger.RunId);
    }

    [Fact]
    public void AnExistingExperimentIsReusedAndManyParametersAreSentInChunks()
    {
        var runDirectory = Directory.CreateDirectory(Path.Combine(root.Path, "runs", "x", "version_0")).FullName;
        using var logger = new MlflowLogger(server.Uri, experimentName: "existing");
        logger.Open(runDirectory);
        logger.LogHyperparameters(Enumerable.Range(0, 150).ToDictionary(i => "p" + i, i => (object?)(long)i));
        logger.Finish(RunStatus.Success);

        Assert.Empty(server.Problems);
        var requests = server.Requests.ToList();
        Assert.Equal(["GET experiments/get-by-name", "POST runs/create", "POST runs/log-batch", "POST runs/log-batch", "POST runs/update"], requests.Select(r => r.Request));
        Assert.Equal("7", requests[1].Body.GetProperty("experiment_id").GetString());
        Assert.Equal([100, 50], requests.Where(r => r.Request == "POST runs/log-batch").Select(r => r.Body.GetProperty("params").GetArrayLength()));
        Assert.Equal("FINISHED", requests[^1].Body.GetProperty("status").GetString());
    }

    [Fact]
    public void AServerErrorNamesTheEndpointAndTheServersMessage()
    {
        server.FailingEndpoint = "runs/create";
        using var logger = new MlflowLogger(server.Uri, experimentName: "existing");
        var error = Assert.Throws<HttpRequestException>(() => logger.Open(root.Path));
        Assert.Contains("runs/create", error.Message);
        Assert.Contains("rejected by the test server", error.Message);
    }

    [Fact]
    public void ATrackingUriMustBeHttp()
    {
        var error = Assert.Throws<ArgumentException>(() => new MlflowLogger("file:///tmp/mlruns"));
        Assert.Contains("file:///tmp/mlruns", error.Message);
    }

    public void Dispose()
    {
        server.Dispose();
        root.Dispose();
    }
}
