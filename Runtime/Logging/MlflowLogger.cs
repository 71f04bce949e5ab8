using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Volt.Logging;

/// <summary>
/// Logs to an MLflow tracking server over its REST API (Lightning's <c>MLFlowLogger</c>, without the
/// Python client): <see cref="Open"/> finds or creates the experiment
/// (<c>experiments/get-by-name</c>, <c>experiments/create</c>) and creates a run (<c>runs/create</c>);
/// hyperparameters and metrics go out with <c>runs/log-batch</c> (at most 100 parameters and 1000
/// metrics per request, the API's limits); <see cref="Finish"/> sets the run's status and end time
/// (<c>runs/update</c>: FINISHED, FAILED, or KILLED for an interruption). An answer other than success
/// throws with the endpoint and the server's message.
/// </summary>
public sealed class MlflowLogger : IMetricLogger, IDisposable
{
    /// <summary>The environment variable that holds the tracking server's address when none is given.</summary>
    public const string TrackingUriVariable = "MLFLOW_TRACKING_URI";

    private const int MaxParametersPerBatch = 100;
    private const int MaxMetricsPerBatch = 1000;
    private readonly HttpClient client;
    private readonly TimeProvider clock;
    private readonly string? experimentNameOption;
    private readonly string? runNameOption;

    /// <summary>Creates a logger for the server at <paramref name="trackingUri"/>.</summary>
    /// <param name="trackingUri">The server's http(s) address; null reads <c>MLFLOW_TRACKING_URI</c>.</param>
    /// <param name="experimentName">The experiment; null uses the run name (<c>runs/&lt;name&gt;</c>).</param>
    /// <param name="runName">The run's name in MLflow; null uses the version directory's name (<c>version_N</c>).</param>
    /// <exception cref="ArgumentException">No address is given or set, or it is not an absolute http(s) URI.</exception>
    public MlflowLogger(string? trackingUri = null, string? experimentName = null, string? runName = null)
        : this(trackingUri, experimentName, runName, TimeProvider.System)
    {
    }

    /// <summary>Creates a logger that stamps metrics with <paramref name="clock"/>'s time.</summary>
    public MlflowLogger(string? trackingUri, string? experimentName, string? runName, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        var address = trackingUri ?? Environment.GetEnvironmentVariable(TrackingUriVariable);
        if (string.IsNullOrWhiteSpace(address))
        {
            throw new ArgumentException($"No MLflow tracking URI: pass trackingUri or set {TrackingUriVariable} (for example http://127.0.0.1:5000).", nameof(trackingUri));
        }

        if (!Uri.TryCreate(address.TrimEnd('/') + "/", UriKind.Absolute, out var baseUri) || (baseUri.Scheme != Uri.UriSchemeHttp && baseUri.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"The MLflow tracking URI '{address}' is not an http:// or https:// address; Volt talks to a tracking server over its REST API.", nameof(trackingUri));
        }

        TrackingUri = baseUri;
        client = new HttpClient { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(30) };
        this.clock = clock;
        experimentNameOption = experimentName;
        runNameOption = runName;
    }

    /// <summary>The tracking server's address.</summary>
    public Uri TrackingUri { get; }

    /// <summary>The experiment's id, once opened.</summary>
    public string? ExperimentId { get; private set; }

    /// <summary>The run's id, once opened.</summary>
    public string? RunId { get; private set; }

    /// <inheritdoc />
    public void Open(string runDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(runDirectory);
        var full = Path.GetFullPath(runDirectory).TrimEnd(Path.DirectorySeparatorChar);
        var experimentName = experimentNameOption ?? Path.GetFileName(Path.GetDirectoryName(full)) ?? "Default";
        ExperimentId = FindExperiment(experimentName) ?? CreateExperiment(experimentName);
        var created = Post("runs/create", new JsonObject
        {
            ["experiment_id"] = ExperimentId,
            ["run_name"] = runNameOption ?? Path.GetFileName(full),
            ["start_time"] = Milliseconds(),
            ["tags"] = new JsonArray(new JsonObject { ["key"] = "volt.run_directory", ["value"] = full }),
        });
        RunId = created["run"]?["info"]?["run_id"]?.GetValue<string>()
            ?? throw new InvalidDataException("MLflow runs/create answered without run.info.run_id.");
    }

    /// <inheritdoc />
    public void LogHyperparameters(IReadOnlyDictionary<string, object?> hyperparameters)
    {
        ArgumentNullException.ThrowIfNull(hyperparameters);
        var parameters = hyperparameters.Select(p => new JsonObject { ["key"] = p.Key, ["value"] = ParameterText(p.Value) }).ToList();
        foreach (var chunk in parameters.Chunk(MaxParametersPerBatch))
        {
            Post("runs/log-batch", new JsonObject { ["run_id"] = RequireRun(), ["params"] = new JsonArray([.. chunk]) });
        }
    }

    /// <inheritdoc />
    public void LogMetrics(IReadOnlyDictionary<string, double> metrics, long step)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var timestamp = Milliseconds();
        var entries = metrics.Select(m => new JsonObject { ["key"] = m.Key, ["value"] = m.Value, ["timestamp"] = timestamp, ["step"] = step }).ToList();
        foreach (var chunk in entries.Chunk(MaxMetricsPerBatch))
        {
            Post("runs/log-batch", new JsonObject { ["run_id"] = RequireRun(), ["metrics"] = new JsonArray([.. chunk]) });
        }
    }

    /// <summary>Every value is sent when it is logged; nothing is buffered.</summary>
    public void Flush()
    {
    }

    /// <inheritdoc />
    public void Finish(RunStatus status)
    {
        if (RunId is null)
        {
            return;
        }

        var mlflowStatus = status switch
        {
            RunStatus.Success => "FINISHED",
            RunStatus.Failed => "FAILED",
            RunStatus.Interrupted => "KILLED",
            _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown run status."),
        };
        Post("runs/update", new JsonObject { ["run_id"] = RunId, ["status"] = mlflowStatus, ["end_time"] = Milliseconds() });
    }

    /// <summary>Releases the HTTP client.</summary>
    public void Dispose() => client.Dispose();

    private string? FindExperiment(string name)
    {
        using var response = client.Send(new HttpRequestMessage(HttpMethod.Get, "api/2.0/mlflow/experiments/get-by-name?experiment_name=" + Uri.EscapeDataString(name)));
        var body = ReadBody(response);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        var answer = Check("experiments/get-by-name", response, body);
        var experiment = answer["experiment"];
        return experiment?["lifecycle_stage"]?.GetValue<string>() == "deleted" ? null : experiment?["experiment_id"]?.GetValue<string>();
    }

    private string CreateExperiment(string name)
        => Post("experiments/create", new JsonObject { ["name"] = name })["experiment_id"]?.GetValue<string>()
            ?? throw new InvalidDataException("MLflow experiments/create answered without experiment_id.");

    private JsonNode Post(string endpoint, JsonObject body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/2.0/mlflow/" + endpoint)
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        using var response = client.Send(request);
        return Check(endpoint, response, ReadBody(response));
    }

    private JsonNode Check(string endpoint, HttpResponseMessage response, string body)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"MLflow {endpoint} at {TrackingUri} answered {(int)response.StatusCode} {response.ReasonPhrase}: {body}", null, response.StatusCode);
        }

        return (body.Length == 0 ? null : JsonNode.Parse(body)) ?? new JsonObject();
    }

    private static string ReadBody(HttpResponseMessage response)
    {
        using var reader = new StreamReader(response.Content.ReadAsStream(), Encoding.UTF8);
        return reader.ReadToEnd();
    }

    private string RequireRun() => RunId ?? throw new InvalidOperationException("The MLflow logger was used before Open(runDirectory).");

    private long Milliseconds() => clock.GetUtcNow().ToUnixTimeMilliseconds();

    private static string ParameterText(object? value) => value switch
    {
        null => "None",
        bool flag => flag ? "True" : "False",
        IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
