using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace Volt.Runtime.Tests.Logging;

/// <summary>
/// A loopback MLflow tracking server stand-in: checks every request against the REST API's documented
/// fields and types (mlflow.org/docs/latest/rest-api.html: experiments/get-by-name, experiments/create,
/// runs/create, runs/log-batch, runs/update) and answers like the server. Schema violations are collected
/// in <see cref="Problems"/> and answered with 400.
/// </summary>
internal sealed class MlflowTestServer : IDisposable
{
    private static readonly string[] RunStatuses = ["RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"];
    private readonly HttpListener listener = new();
    private readonly Task loop;
    private readonly HashSet<string> experiments;

    public MlflowTestServer(params string[] existingExperiments)
    {
        experiments = [.. existingExperiments];
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        Uri = $"http://127.0.0.1:{port}/";
        listener.Prefixes.Add(Uri);
        listener.Start();
        loop = Task.Run(Serve);
    }

    public string Uri { get; }

    /// <summary>"METHOD endpoint" and the parsed body (or query) of every request, in order.</summary>
    public ConcurrentQueue<(string Request, JsonElement Body)> Requests { get; } = new();

    public ConcurrentQueue<string> Problems { get; } = new();

    /// <summary>When set, this endpoint answers 400 with an MLflow error body.</summary>
    public string? FailingEndpoint { get; set; }

    public void Dispose()
    {
        listener.Stop();
        listener.Close();
        try
        {
            loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
    }

    private void Serve()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = listener.GetContext();
            }
            catch (Exception error) when (error is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            var (status, answer) = Handle(context.Request);
            var bytes = Encoding.UTF8.GetBytes(answer);
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            context.Response.OutputStream.Write(bytes);
            context.Response.Close();
        }
    }

    private (int Status, string Body) Handle(HttpListenerRequest request)
    {
        var path = request.Url!.AbsolutePath;
        const string prefix = "/api/2.0/mlflow/";
        var endpoint = path.StartsWith(prefix, StringComparison.Ordinal) ? path[prefix.Length..] : path;
        JsonElement body;
        if (request.HttpMethod == "GET")
        {
            var query = string.Join(",", request.QueryString.AllKeys.Select(k => JsonSerializer.Serialize(k!) + ":" + JsonSerializer.Serialize(request.QueryString[k])));
            body = JsonDocument.Parse("{" + query + "}").RootElement.Clone();
        }
        else
        {
            if (request.ContentType?.StartsWith("application/json", StringComparison.Ordinal) != true)
            {
                Problems.Enqueue($"{endpoint}: content type {request.ContentType}");
            }

            using var reader = new StreamReader(request.InputStream, Encoding.UTF8);
            body = JsonDocument.Parse(reader.ReadToEnd()).RootElement.Clone();
        }

        Requests.Enqueue(($"{request.HttpMethod} {endpoint}", body));
        var problems = Validate(request.HttpMethod, endpoint, body);
        foreach (var problem in problems)
        {
            Problems.Enqueue($"{endpoint}: {problem}");
        }

        if (problems.Count > 0 || endpoint == FailingEndpoint)
        {
            return (400, """{"error_code":"INVALID_PARAMETER_VALUE","message":"rejected by the test server"}""");
        }

        switch (endpoint)
        {
            case "experiments/get-by-name":
                var name = body.GetProperty("experiment_name").GetString()!;
                return experiments.Contains(name)
                    ? (200, """{"experiment":{"experiment_id":"7","name":""" + JsonSerializer.Serialize(name) + ""","lifecycle_stage":"active"}}""")
                    : (404, """{"error_code":"RESOURCE_DOES_NOT_EXIST","message":"Could not find experiment"}""");
            case "experiments/create":
                experiments.Add(body.GetProperty("name").GetString()!);
                return (200, """{"experiment_id":"8"}""");
            case "runs/create":
                return (200, """{"run":{"info":{"run_id":"run-1","experiment_id":"8","status":"RUNNING"}}}""");
            default:
                return (200, "{}");
        }
    }

    private static List<string> Validate(string method, string endpoint, JsonElement body)
    {
        var problems = new List<string>();
        void Fields(JsonElement element, string where, Dictionary<string, Func<JsonElement, bool>> allowed, params string[] required)
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                problems.Add($"{where} is not an object");
                return;
            }

            foreach (var property in element.EnumerateObject())
            {
                if (!allowed.TryGetValue(property.Name, out var check))
                {
                    problems.Add($"{where} has the unknown field '{property.Name}'");
                }
                else if (!check(property.Value))
                {
                    problems.Add($"{where}.{property.Name} has the wrong type ({property.Value.ValueKind})");
                }
            }

            foreach (var name in required.Where(r => !element.TryGetProperty(r, out _)))
            {
                problems.Add($"{where} lacks the required field '{name}'");
            }
        }

        static bool Text(JsonElement e) => e.ValueKind == JsonValueKind.String;
        static bool Int64(JsonElement e) => (e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out _)) || (e.ValueKind == JsonValueKind.String && long.TryParse(e.GetString(), out _));
        static bool Double(JsonElement e) => e.ValueKind == JsonValueKind.Number || (e.ValueKind == JsonValueKind.String && e.GetString() is "NaN" or "Infinity" or "-Infinity");
        var keyValue = new Dictionary<string, Func<JsonElement, bool>> { ["key"] = Text, ["value"] = Text };
        bool ArrayOf(JsonElement e, string where, Dictionary<string, Func<JsonElement, bool>> fields, int max, params string[] required)
        {
            if (e.ValueKind != JsonValueKind.Array)
            {
                return false;
            }

            if (e.GetArrayLength() > max)
            {
                problems.Add($"{where} has {e.GetArrayLength()} entries; the API allows {max}");
            }

            var i = 0;
            foreach (var item in e.EnumerateArray())
            {
                Fields(item, $"{where}[{i++}]", fields, required);
            }

            return true;
        }

        switch ((method, endpoint))
        {
            case ("GET", "experiments/get-by-name"):
                Fields(body, "query", new() { ["experiment_name"] = Text }, "experiment_name");
                break;
            case ("POST", "experiments/create"):
                Fields(body, "body", new() { ["name"] = Text, ["artifact_location"] = Text, ["tags"] = e => ArrayOf(e, "tags", keyValue, 100, "key", "value") }, "name");
                break;
            case ("POST", "runs/create"):
                Fields(body, "body", new()
                {
                    ["experiment_id"] = Text, ["user_id"] = Text, ["run_name"] = Text, ["start_time"] = Int64,
                    ["tags"] = e => ArrayOf(e, "tags", keyValue, 100, "key", "value"),
                }, "experiment_id");
                break;
            case ("POST", "runs/log-batch"):
                Fields(body, "body", new()
                {
                    ["run_id"] = Text,
                    ["metrics"] = e => ArrayOf(e, "metrics", new() { ["key"] = Text, ["value"] = Double, ["timestamp"] = Int64, ["step"] = Int64 }, 1000, "key", "value", "timestamp"),
                    ["params"] = e => ArrayOf(e, "params", keyValue, 100, "key", "value"),
                    ["tags"] = e => ArrayOf(e, "tags", keyValue, 100, "key", "value"),
                }, "run_id");
                break;
            case ("POST", "runs/update"):
                Fields(body, "body", new()
                {
                    ["run_id"] = Text, ["run_name"] = Text, ["end_time"] = Int64,
                    ["status"] = e => e.ValueKind == JsonValueKind.String && RunStatuses.Contains(e.GetString()),
                }, "run_id");
                break;
            default:
                problems.Add($"{method} {endpoint} is not an endpoint the logger should call");
                break;
        }

        return problems;
    }
}
