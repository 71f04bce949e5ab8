using System;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using FashionMnistSample;
using TorchSharp;
using Volt.Export;
using Volt.Runtime.Tests.Export;
using Volt.Runtime.Tests.Training;
using static TorchSharp.torch;

namespace Volt.Runtime.Tests.Samples;

/// <summary>The sample's export and serve subcommands on a checkpoint from a tiny training run.</summary>
public sealed class FashionMnistExportServeTests : IDisposable
{
    private readonly TempRoot root = new();

    public void Dispose() => root.Dispose();

    [Theory]
    [InlineData("pt")]
    [InlineData("safetensors")]
    public void ExportWritesTheCheckpointsWeightsInTheAskedFormat(string format)
    {
        var checkpoint = TrainTinyCheckpoint();
        var output = Path.Combine(root.Path, "model." + format);
        var console = new StringWriter();
        Assert.Equal(0, ExportCommand.Run(["--ckpt-path", checkpoint, "--format", format, "--output", output], console, new StringWriter()));
        Assert.Contains(output, console.ToString(), StringComparison.Ordinal);

        using var model = FashionClassifier.LoadFromCheckpoint(checkpoint);
        using var weights = format == "pt" ? TorchWeights.Read(output) : Safetensors.Read(output);
        Assert.Equal(model.state_dict().Keys, weights.Entries.Select(e => e.Name));
        Assert.Contains("network.hidden.weight", weights.Entries.Select(e => e.Name));
        foreach (var (name, tensor) in model.state_dict())
        {
            Assert.True(tensor.eq(weights[name]).all().item<bool>(), name);
        }

        // The exported file is itself a model the commands accept.
        using var reloaded = SavedModel.Load(output);
        Assert.Equal(ModelFingerprint.Sha256(model), ModelFingerprint.Sha256(reloaded));
    }

    [Fact]
    public void BadExportArgumentsAndFilesAreNamed()
    {
        var errors = new StringWriter();
        Assert.Equal(2, ExportCommand.Run(["--ckpt-path", "x.ckpt", "--format", "tflite", "--output", "y"], new StringWriter(), errors));
        Assert.Contains("--format is 'tflite'", errors.ToString(), StringComparison.Ordinal);

        errors = new StringWriter();
        Assert.Equal(2, ExportCommand.Run(["--ckpt-path", "x.ckpt", "--format", "pt"], new StringWriter(), errors));
        Assert.Contains("needs --output", errors.ToString(), StringComparison.Ordinal);

        var broken = Path.Combine(root.Path, "broken.pt");
        Directory.CreateDirectory(root.Path);
        File.WriteAllText(broken, "not a zip");
        errors = new StringWriter();
        Assert.Equal(1, ExportCommand.Run(["--ckpt-path", broken, "--format", "safetensors", "--output", Path.Combine(root.Path, "out.safetensors")], new StringWriter(), errors));
        Assert.Contains(broken, errors.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(root.Path, "out.safetensors")));

        errors = new StringWriter();
        Assert.Equal(2, ServeCommand.Run(["--ckpt-path", broken, "--port", "99999"], new StringWriter(), errors));
        Assert.Contains("--port is '99999'", errors.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServeAnswersWithTheCheckpointsPredictionsUntilStopped()
    {
        var checkpoint = TrainTinyCheckpoint();
        using var model = FashionClassifier.LoadFromCheckpoint(checkpoint);
        model.eval();
        torch.manual_seed(1);
        using var input = torch.rand(2, 1, 28, 28);
        using var expected = model.forward(input);

        var port = FreePort();
        using var stop = new CancellationTokenSource();
        var console = new StringWriter();
        var serving = Task.Run(() => ServeCommand.Run(["--ckpt-path", checkpoint, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)], console, console, stop.Token));
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
        await WaitForHealth(client, serving);

        var pixels = input.data<float>().ToArray();
        var images = Enumerable.Range(0, 2).Select(n => new[] { Enumerable.Range(0, 28).Select(r => pixels.AsSpan((n * 784) + (r * 28), 28).ToArray()).ToArray() }).ToArray();
        using var response = await client.PostAsync("predict", new StringContent(JsonSerializer.Serialize(new { images }), Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        using var parsed = JsonDocument.Parse(body);
        var answered = parsed.RootElement.GetProperty("logits").EnumerateArray().SelectMany(r => r.EnumerateArray()).Select(v => v.GetDouble()).ToArray();
        TorchWeightsTests.AssertClose(answered, expected.to(ScalarType.Float64).data<double>().ToArray(), 1e-5, "logits");
        using var labels = expected.argmax(1);
        Assert.Equal(labels.data<long>().ToArray(), parsed.RootElement.GetProperty("labels").EnumerateArray().Select(v => v.GetInt64()).ToArray());

        stop.Cancel();
        Assert.Equal(0, await serving);
        Assert.Contains($"Serving on http://127.0.0.1:{port}/", console.ToString(), StringComparison.Ordinal);
    }

    private string TrainTinyCheckpoint()
    {
        var result = SampleRun.Run(
            ["--epochs", "1", "--limit-train-batches", "3", "--limit-val-batches", "1", "--limit-test-batches", "1", "--root", root.Path, "--no-progress"],
            new StringWriter());
        return Directory.GetFiles(Path.Combine(result.LogDirectory!, "checkpoints"), "*.ckpt").First();
    }

    private static async Task WaitForHealth(HttpClient client, Task<int> serving)
    {
        for (var attempt = 0; attempt < 600; attempt++)
        {
            Assert.False(serving.IsCompleted, "serve exited early");
            try
            {
                await client.GetStringAsync("health");
                return;
            }
            catch (HttpRequestException)
            {
                await Task.Delay(50);
            }
        }

        Assert.Fail("serve did not answer /health within 30 s");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
