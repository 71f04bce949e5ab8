using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Volt.Export;
using Volt.Serving;
using static TorchSharp.torch;

namespace Volt.Benchmarks;

/// <summary>
/// Throughput and latency of <c>POST /predict</c> for the Fashion-MNIST MLP, one image per request,
/// measured with wrk over loopback at 1, 8 and 64 connections: the Volt server with dynamic batching
/// on and off, and a FastAPI + PyTorch server (Debian's python3-fastapi, python3-uvicorn,
/// python3-torch) serving the same weights, which Volt writes as a .pt file.
/// </summary>
public sealed partial class ServingBenchmark(int seconds)
{
    private static readonly int[] Connections = [1, 8, 64];

    /// <summary>One wrk run's result.</summary>
    public sealed record Result(string Server, int Connections, double RequestsPerSecond, double P50Ms, double P99Ms, long Errors);

    public IReadOnlyList<Result> Run()
    {
        if (!File.Exists("/usr/bin/wrk"))
        {
            Console.WriteLine("skipped: wrk is missing (apt-get install wrk)");
            return [];
        }

        var directory = Directory.CreateTempSubdirectory("volt-serving-bench-").FullName;
        try
        {
            manual_seed(Workloads.Seed);
            using var model = new BenchMlp();
            var weights = Path.Combine(directory, "mlp.pt");
            TorchWeights.Save(model, weights);
            var body = RequestBody();
            var script = Path.Combine(directory, "post.lua");
            File.WriteAllText(script, "wrk.method = \"POST\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\nwrk.body = [==[" + body + "]==]\n");

            var results = new List<Result>();
            string? voltAnswer = null;
            var configurations = new (string Name, bool Batching, TimeSpan Window)[]
            {
                ("Volt, batching 2 ms", true, TimeSpan.FromMilliseconds(2)),
                ("Volt, batching 0 ms", true, TimeSpan.Zero),
                ("Volt, no batching", false, TimeSpan.Zero),
            };
            foreach (var (name, batching, window) in configurations)
            {
                var options = new ServerOptions { Port = 0, DynamicBatching = batching, BatchWindow = window };
                var server = Server.StartAsync(model, options).GetAwaiter().GetResult();
                try
                {
                    voltAnswer ??= Post(server.Address, body);
                    results.AddRange(Measure(name, server.Address, script));
                }
                finally
                {
                    server.DisposeAsync().AsTask().GetAwaiter().GetResult();
                }
            }

            using (var python = StartFastApi(weights, out var address))
            {
                if (python is null)
                {
                    Console.WriteLine("FastAPI: skipped (python3-fastapi, python3-uvicorn or python3-torch missing, or the server did not start)");
                }
                else
                {
                    try
                    {
                        var pythonAnswer = Post(address, body);
                        Console.WriteLine($"same answers from both servers: max |difference| = {MaxDifference(voltAnswer!, pythonAnswer):E1}");
                        results.AddRange(Measure("FastAPI + PyTorch", address, script));
                    }
                    finally
                    {
                        python.Kill(entireProcessTree: true);
                        python.WaitForExit();
                    }
                }
            }

            return results;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private IEnumerable<Result> Measure(string server, Uri address, string script)
    {
        Wrk(address, script, connections: 8, seconds: 1); // warm-up: JIT, thread pools, allocator
        foreach (var connections in Connections)
        {
            var output = Wrk(address, script, connections, seconds);
            var result = new Result(
                server,
                connections,
                Number(RequestsPerSecond().Match(output)),
                Milliseconds(Percentile("50").Match(output)),
                Milliseconds(Percentile("99").Match(output)),
                (NonSuccess().Match(output) is { Success: true } m ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0)
                    + (SocketErrors().Match(output) is { Success: true } s ? s.Groups.Cast<Group>().Skip(1).Sum(g => long.Parse(g.Value, CultureInfo.InvariantCulture)) : 0));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{server,-24} {connections,3} connections: {result.RequestsPerSecond,8:F0} req/s, p50 {result.P50Ms,7:F2} ms, p99 {result.P99Ms,7:F2} ms, errors {result.Errors}{BatchSummary(address)}"));
            yield return result;
        }
    }

    /// <summary>The mean examples per forward pass so far, from a Volt server's /metrics; empty for other servers.</summary>
    private static string BatchSummary(Uri address)
    {
        using var client = new HttpClient();
        using var response = client.GetAsync(new Uri(address, "metrics")).GetAwaiter().GetResult();
        var text = response.IsSuccessStatusCode ? response.Content.ReadAsStringAsync().GetAwaiter().GetResult() : string.Empty;
        var sum = Regex.Match(text, @"^volt_batch_size_sum (\S+)$", RegexOptions.Multiline);
        var count = Regex.Match(text, @"^volt_batch_size_count (\S+)$", RegexOptions.Multiline);
        return sum.Success && count.Success
            ? string.Create(CultureInfo.InvariantCulture, $", mean batch {Number(sum) / Number(count):F1} (cumulative)")
            : string.Empty;
    }

    private static string Wrk(Uri address, string script, int connections, int seconds)
    {
        var start = new ProcessStartInfo("/usr/bin/wrk", ["-t", Math.Min(connections, 2).ToString(CultureInfo.InvariantCulture), "-c", connections.ToString(CultureInfo.InvariantCulture), "-d", seconds + "s", "--latency", "-s", script, new Uri(address, "predict").ToString()])
        {
            RedirectStandardOutput = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? output : throw new InvalidOperationException("wrk failed:\n" + output);
    }

    /// <summary>One 1×28×28 image of seeded random pixels as a /predict body.</summary>
    private static string RequestBody()
    {
        var random = new Random((int)Workloads.Seed);
        var rows = Enumerable.Range(0, 28).Select(_ => Enumerable.Range(0, 28).Select(_ => Math.Round(random.NextDouble(), 4)).ToArray()).ToArray();
        return JsonSerializer.Serialize(new { inputs = new[] { new[] { rows } } });
    }

    private static string Post(Uri address, string body)
    {
        using var client = new HttpClient();
        using var response = client.PostAsync(new Uri(address, "predict"), new StringContent(body, Encoding.UTF8, "application/json")).GetAwaiter().GetResult();
        return response.EnsureSuccessStatusCode().Content.ReadAsStringAsync().GetAwaiter().GetResult();
    }

    private static double MaxDifference(string a, string b)
    {
        static double[] Values(string json) => JsonDocument.Parse(json).RootElement.GetProperty("outputs")[0].EnumerateArray().Select(v => v.GetDouble()).ToArray();
        return Values(a).Zip(Values(b)).Max(p => Math.Abs(p.First - p.Second));
    }

    private static Process? StartFastApi(string weights, out Uri address)
    {
        var port = FreePort();
        address = new Uri($"http://127.0.0.1:{port}/");
        var script = Path.Combine(AppContext.BaseDirectory, "fastapi_server.py");
        Process process;
        try
        {
            process = Process.Start(new ProcessStartInfo("/usr/bin/python3", [script, weights, port.ToString(CultureInfo.InvariantCulture)]) { RedirectStandardError = true })!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }

        process.ErrorDataReceived += (_, line) =>
        {
            if (line.Data is { Length: > 0 })
            {
                Console.Error.WriteLine("fastapi: " + line.Data);
            }
        };
        process.BeginErrorReadLine();
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(1) };
        for (var attempt = 0; attempt < 300 && !process.HasExited; attempt++)
        {
            try
            {
                client.GetStringAsync(new Uri(address, "health")).GetAwaiter().GetResult();
                return process;
            }
            catch (Exception error) when (error is HttpRequestException or TaskCanceledException)
            {
                Thread.Sleep(100);
            }
        }

        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        process.Dispose();
        return null;
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static double Number(Match match) => match.Success ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : double.NaN;

    private static double Milliseconds(Match match)
    {
        if (!match.Success)
        {
            return double.NaN;
        }

        var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch
        {
            "us" => value / 1000,
            "ms" => value,
            "s" => value * 1000,
            "m" => value * 60_000,
            _ => double.NaN,
        };
    }

    private static Regex Percentile(string percent) => new($@"^\s+{percent}%\s+([0-9.]+)(us|ms|s|m)\s*$", RegexOptions.Multiline);

    [GeneratedRegex(@"Requests/sec:\s+([0-9.]+)")]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"Non-2xx or 3xx responses:\s+(\d+)")]
    private static partial Regex NonSuccess();

    [GeneratedRegex(@"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")]
    private static partial Regex SocketErrors();
}
