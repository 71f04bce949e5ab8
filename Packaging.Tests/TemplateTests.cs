using System;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Volt.Packaging.Tests;

/// <summary>The volt-classifier template package: its contents, and a project made from it that builds, trains and tests.</summary>
[Collection(PackageFeedCollection.Name)]
public sealed class TemplateTests(PackageFeed feed)
{
    private const string Content = "content/VoltClassifier/";

    private static readonly string[] ExpectedEntries =
    [
        "Volt.Templates.nuspec",
        "README.md",
        Content + ".template.config/template.json",
        Content + ".gitignore",
        Content + "README.md",
        Content + "VoltClassifier.slnx",
        Content + "VoltClassifier/VoltClassifier.csproj",
        Content + "VoltClassifier/Program.cs",
        Content + "VoltClassifier/Classifier.cs",
        Content + "VoltClassifier/FashionData.cs",
        Content + "VoltClassifier.Tests/VoltClassifier.Tests.csproj",
        Content + "VoltClassifier.Tests/ClassifierTests.cs",
        Content + "VoltClassifier.Tests/SyntheticImages.cs",
    ];

    // One instantiation and build for every test of this class (xunit creates the class once per test).
    private static readonly object TemplateLock = new();
    private static TemplateProject? template;

    private TemplateProject Template
    {
        get
        {
            lock (TemplateLock)
            {
                return template ??= new TemplateProject(feed);
            }
        }
    }

    [Fact]
    public void TemplatePackageHoldsTheTemplateAndNothingBuilt()
    {
        var entries = feed.TemplatePackageEntries();
        var missing = ExpectedEntries.Where(e => !entries.Contains(e)).ToArray();
        Assert.True(missing.Length == 0, $"missing from the template package: {string.Join(", ", missing)}\nit holds: {string.Join(", ", entries)}");
        Assert.DoesNotContain(entries, e => e.StartsWith("lib/", StringComparison.Ordinal) || e.Contains("/bin/", StringComparison.Ordinal) || e.Contains("/obj/", StringComparison.Ordinal));
    }

    [Fact]
    public void PackedTemplateJsonNamesTheTemplateAndDefaultsToThePackedVoltVersion()
    {
        using var zip = ZipFile.OpenRead(feed.TemplatePackagePath);
        using var stream = zip.GetEntry(Content + ".template.config/template.json")!.Open();
        using var json = JsonDocument.Parse(stream);
        var root = json.RootElement;

        Assert.Equal("volt-classifier", root.GetProperty("shortName").GetString());
        Assert.Equal("VoltClassifier", root.GetProperty("sourceName").GetString());
        Assert.False(string.IsNullOrEmpty(root.GetProperty("identity").GetString()));
        Assert.NotEmpty(root.GetProperty("classifications").EnumerateArray());
        Assert.False(root.TryGetProperty("postActions", out _), "the template must need no post actions");
        var version = root.GetProperty("symbols").GetProperty("VoltVersion");
        Assert.Equal(feed.Version, version.GetProperty("defaultValue").GetString());
        Assert.Equal("VOLT_PACKAGE_VERSION", version.GetProperty("replaces").GetString());

        using var nuspecStream = zip.GetEntry("Volt.Templates.nuspec")!.Open();
        var nuspec = System.Xml.Linq.XDocument.Load(nuspecStream);
        var packageType = nuspec.Descendants().First(e => e.Name.LocalName == "packageType");
        Assert.Equal("Template", packageType.Attribute("name")?.Value);
    }

    [Fact]
    public void InstantiatedProjectsReferenceThePackageAndCarryTheGivenName()
    {
        var directory = Template.SolutionDirectory;
        Assert.True(File.Exists(Path.Combine(directory, TemplateProject.Name + ".slnx")));
        var project = File.ReadAllText(Path.Combine(Template.ProjectDirectory, TemplateProject.Name + ".csproj"));
        Assert.Contains($"<PackageReference Include=\"Volt\" Version=\"{feed.Version}\" />", project);

        var sources = Directory.GetFiles(directory, "*", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .ToArray();
        Assert.All(sources, file =>
        {
            Assert.DoesNotContain("VoltClassifier", Path.GetRelativePath(directory, file));
            var text = File.ReadAllText(file);
            Assert.DoesNotContain("VoltClassifier", text);
            Assert.DoesNotContain("VOLT_PACKAGE_VERSION", text);
        });

        // Volt comes as a package: the only project reference is the test project's to the console project.
        var projectReferences = sources.Where(f => f.EndsWith(".csproj", StringComparison.Ordinal))
            .SelectMany(f => Regex.Matches(File.ReadAllText(f), "<ProjectReference Include=\"([^\"]+)\"").Select(m => m.Groups[1].Value))
            .ToArray();
        Assert.Equal([$"../{TemplateProject.Name}/{TemplateProject.Name}.csproj"], projectReferences);
        Assert.DoesNotContain(": warning ", Template.BuildOutput);
    }

    [Fact]
    public void HelpTextComesFromTheParamDocs()
    {
        var output = DotnetCli.Run(Template.SolutionDirectory, "run", "--project", TemplateProject.Name, "--no-build", "--", "fit", "--help");

        Assert.Contains("--model.hidden-size", output);
        Assert.Contains("Units of the hidden layer.", output);
        Assert.Contains("--data.root", output);
        Assert.Contains("/usr/share/datasets/fashion-mnist", output);
    }

    [Fact]
    public void GeneratedCliTrainsOnFashionMnistAndItsCheckpointValidatesTheSame()
    {
        var rootDir = Path.Combine(Template.RunsDirectory, "fit");
        var fit = DotnetCli.Run(
            Template.SolutionDirectory, "run", "--project", TemplateProject.Name, "--no-build", "--",
            "fit", "--trainer.max-epochs", "1", "--trainer.limit-train-batches", "5", "--trainer.limit-val-batches", "2",
            "--trainer.enable-progress-bar", "false", "--trainer.default-root-dir", rootDir);

        var run = Path.Combine(rootDir, "runs", "Classifier", "version_0");
        var checkpoint = Path.Combine(run, "checkpoints", "last.ckpt");
        Assert.True(File.Exists(checkpoint), $"no {checkpoint}; fit printed:\n{fit}");
        var config = File.ReadAllLines(Path.Combine(run, "config.yaml")).Select(l => l.Trim()).ToArray();
        Assert.Contains("limit-train-batches: 5", config);
        Assert.Contains("root: \"/usr/share/datasets/fashion-mnist\"", config);
        var metrics = File.ReadAllLines(Path.Combine(run, "metrics.csv"));
        var header = metrics[0].Split(',');
        var row = metrics.Last(l => l.Length > 0).Split(',');
        Assert.Equal("4", row[Array.IndexOf(header, "step")]); // 5 batches: steps 0 to 4
        double fitAccuracy = double.Parse(row[Array.IndexOf(header, "val_acc")], CultureInfo.InvariantCulture);

        // The checkpoint rebuilds the module (hyperparameters and weights): the same two validation batches give the same accuracy.
        var validate = DotnetCli.Run(
            Template.SolutionDirectory, "run", "--project", TemplateProject.Name, "--no-build", "--",
            "validate", "--ckpt-path", checkpoint, "--trainer.limit-val-batches", "2",
            "--trainer.enable-progress-bar", "false", "--trainer.default-root-dir", Path.Combine(Template.RunsDirectory, "validate"));
        var match = Regex.Match(validate, @"^val_acc: ([0-9.]+)$", RegexOptions.Multiline);
        Assert.True(match.Success, $"validate printed no val_acc:\n{validate}");
        double validateAccuracy = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(Math.Abs(validateAccuracy - fitAccuracy) < 1e-4, $"validate from the checkpoint gave val_acc {validateAccuracy}, fit logged {fitAccuracy}");
        Assert.True(fitAccuracy > 0.2, $"val_acc {fitAccuracy} after 5 batches is no better than guessing one of ten classes");
    }

    [Fact]
    public void GeneratedTestProjectPasses()
    {
        var output = DotnetCli.Run(Template.SolutionDirectory, "test", "--no-build");

        var summary = Regex.Match(output, @"Passed!\s+-\s+Failed:\s+(\d+),\s+Passed:\s+(\d+)");
        Assert.True(summary.Success, $"no test summary in:\n{output}");
        Assert.Equal("0", summary.Groups[1].Value);
        Assert.Equal("2", summary.Groups[2].Value);
    }
}
