using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Volt.Generators.Parsing;

namespace Volt.Generators.Tests;

/// <summary>The [GenerateCli] pipeline: the generated command line, its problems, and the hyperparameter facts it reads.</summary>
public sealed class CliGeneratorTests
{
    private const string DocumentedModule = TestSources.Usings + """
        using Volt.Cli;
        using Volt.Data;

        namespace Samples;

        public sealed record Batch(Tensor Images, Tensor Labels);

        public enum Activation { Relu, Tanh }

        /// <summary>A documented classifier.</summary>
        /// <param name="hiddenSize">Width of the <see cref="Linear"/> hidden layer.</param>
        /// <param name="learningRate">The Adam   learning
        /// rate.</param>
        /// <param name="activation">The hidden activation.</param>
        [GenerateCli(typeof(ImageData))]
        public sealed partial class Classifier(int hiddenSize = 128, double learningRate = 1e-3, Activation activation = Activation.Tanh, string? note = null, long[]? ids = null)
            : nn.Module<Tensor, Tensor>("classifier")
        {
            private readonly Linear hidden = nn.Linear(784, hiddenSize);
            private readonly Linear output = nn.Linear(hiddenSize, 10);

            public override Tensor forward(Tensor input) => output.forward(functional.relu(hidden.forward(input.flatten(1))));

            [TrainingStep]
            private Tensor Train(Batch batch) => functional.cross_entropy(forward(batch.Images), batch.Labels);

            [ValidationStep]
            private void Validate(Batch batch) => Log("val_loss", functional.cross_entropy(forward(batch.Images), batch.Labels));

            [TestStep]
            private void Test(Batch batch) => Log("test_loss", functional.cross_entropy(forward(batch.Images), batch.Labels));

            [ConfigureOptimizers]
            private optim.Optimizer Optimizers() => optim.Adam(parameters(), learningRate);
        }

        /// <summary>Images from disk.</summary>
        /// <param name="root">Where the images are.</param>
        /// <param name="batchSize">Images per batch.</param>
        public sealed class ImageData(string root, int batchSize = 64) : DataModule<Batch>
        {
            public override IDataLoader<Batch> TrainLoader() => throw new System.NotSupportedException(root + batchSize);
        }
        """;

    [Fact]
    public void GeneratedCommandLineOfADocumentedModule()
    {
        var output = Run(DocumentedModule);
        output.AssertCompilesCleanly();
        Assert.Contains("Samples.ClassifierCli.g.cs", output.Files.Keys);
        Snapshot.Match(new Dictionary<string, string> { ["Samples.ClassifierCli.g.cs"] = output.Files["Samples.ClassifierCli.g.cs"] });
    }

    [Fact]
    public void ModuleWithoutPredictStepHasNoPredictCommand()
    {
        var text = Run(DocumentedModule).Files["Samples.ClassifierCli.g.cs"];
        Assert.Contains("CreateCommand(\"validate\"", text);
        Assert.Contains("CreateCommand(\"test\"", text);
        Assert.DoesNotContain("CreateCommand(\"predict\"", text);
    }

    [Fact]
    public void DataModuleTypeThatIsNoDataModuleIsReported()
    {
        var output = Run(DocumentedModule.Replace("[GenerateCli(typeof(ImageData))]", "[GenerateCli(typeof(string))]"));
        var diagnostic = Assert.Single(output.GeneratorDiagnostics, d => d.Id == "VOLT0041");
        Assert.Contains("'Classifier'", diagnostic.GetMessage());
        Assert.Contains("'string' is not one", diagnostic.GetMessage());
        Assert.DoesNotContain("Samples.ClassifierCli.g.cs", output.Files.Keys);
    }

    [Fact]
    public void ParameterThatNoOptionCanHoldNeedsADefault()
    {
        var output = Run(DocumentedModule.Replace("public sealed class ImageData(string root, int batchSize = 64)", "public sealed class ImageData(string root, System.IO.Stream source, int batchSize = 64)"));
        var diagnostic = Assert.Single(output.GeneratorDiagnostics, d => d.Id == "VOLT0041");
        Assert.Contains("the parameter 'source' of 'ImageData'", diagnostic.GetMessage());
    }

    [Fact]
    public void TheDiagnosticIsDocumented()
    {
        Assert.Equal("docs/diagnostics.md#volt0041", VoltGenerator.CliNotGenerated.HelpLinkUri);
        var docs = System.IO.File.ReadAllText(System.IO.Path.Combine(RepositoryRoot(), "docs", "diagnostics.md"));
        Assert.Contains("## VOLT0041", docs);
    }

    [Fact]
    public void AnAliasIsASecondNameOfItsOption()
    {
        var output = Run(DocumentedModule.Replace(
            "[GenerateCli(typeof(ImageData))]",
            "[GenerateCli(typeof(ImageData))]\n[CliAlias(\"--epochs\", \"trainer.max-epochs\")]\n[CliAlias(\"-b\", \"data.batch-size\")]\n[CliAlias(\"--resume\", \"ckpt-path\")]"));

        output.AssertCompilesCleanly();
        Assert.Empty(output.GeneratorDiagnostics);
        var text = output.Files["Samples.ClassifierCli.g.cs"];
        Assert.Contains("Option<int?>(\"--trainer.max-epochs\", \"--epochs\")", text);
        Assert.Contains("Option<int>(\"--data.batch-size\", \"-b\")", text);
        Assert.Contains("CkptPath = new(\"--ckpt-path\", \"--resume\")", text);
    }

    [Theory]
    [InlineData("\"--epochs\", \"max-epochs\"", "VOLT0072", "'max-epochs' is not an option of Classifier's command line", "e.g. 'trainer.max-epochs'")]
    [InlineData("\"--epochs\", \"--trainer.max-epochs\"", "VOLT0072", "'--trainer.max-epochs' is not an option", "without dashes")]
    [InlineData("\"--trainer.min-epochs\", \"trainer.max-epochs\"", "VOLT0073", "the option --trainer.min-epochs already has this name", "--trainer.min-epochs")]
    [InlineData("\"-h\", \"trainer.max-epochs\"", "VOLT0073", "System.CommandLine's help option", "-h")]
    [InlineData("\"epochs\", \"trainer.max-epochs\"", "VOLT0074", "an alias is a dash and a letter", "\"epochs\"")]
    [InlineData("\"--max epochs\", \"trainer.max-epochs\"", "VOLT0074", "two dashes and a name", "\"--max epochs\"")]
    [InlineData("\"-ab\", \"trainer.max-epochs\"", "VOLT0074", "a dash and a letter", "\"-ab\"")]
    public void ABadAliasIsReportedOnItsAttributeAndLeftOut(string arguments, string id, string detail, string named)
    {
        var source = DocumentedModule.Replace("[GenerateCli(typeof(ImageData))]", $"[GenerateCli(typeof(ImageData))]\n[CliAlias({arguments})]");
        var output = Run(source);

        var diagnostic = Assert.Single(output.GeneratorDiagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Contains(detail, diagnostic.GetMessage());
        Assert.Contains(named, diagnostic.GetMessage());
        Assert.Contains("on 'Classifier'", diagnostic.GetMessage());
        Assert.Equal("CliAlias(" + arguments + ")", diagnostic.Location.SourceTree!.GetText().ToString(diagnostic.Location.SourceSpan));

        // The rest of the command line is still generated, without the bad alias.
        Assert.Empty(output.Compilation.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
        Assert.Contains("Option<int?>(\"--trainer.max-epochs\")", output.Files["Samples.ClassifierCli.g.cs"]);
    }

    [Fact]
    public void TheSecondOfTwoEqualAliasesIsReported()
    {
        var output = Run(DocumentedModule.Replace(
            "[GenerateCli(typeof(ImageData))]",
            "[GenerateCli(typeof(ImageData))]\n[CliAlias(\"--epochs\", \"trainer.max-epochs\")]\n[CliAlias(\"--epochs\", \"trainer.min-epochs\")]"));

        var diagnostic = Assert.Single(output.GeneratorDiagnostics);
        Assert.Equal("VOLT0073", diagnostic.Id);
        Assert.Contains("another [CliAlias] already has this name", diagnostic.GetMessage());
        Assert.Contains("trainer.min-epochs", diagnostic.Location.SourceTree!.GetText().ToString(diagnostic.Location.SourceSpan));
        var text = output.Files["Samples.ClassifierCli.g.cs"];
        Assert.Contains("Option<int?>(\"--trainer.max-epochs\", \"--epochs\")", text);
        Assert.Contains("Option<int>(\"--trainer.min-epochs\")", text);
    }

    [Fact]
    public void APredictStepOfAnotherBatchTypeGetsNoPredictCommand()
    {
        var withPredict = DocumentedModule.Replace(
            "[ConfigureOptimizers]",
            "[PredictStep]\n            private Tensor Predict(Batch batch) => forward(batch.Images);\n\n            [ConfigureOptimizers]");
        var predicting = Run(withPredict);
        predicting.AssertCompilesCleanly();
        Assert.Contains("CreateCommand(\"predict\"", predicting.Files["Samples.ClassifierCli.g.cs"]);

        var otherBatch = withPredict
            .Replace("private Tensor Predict(Batch batch) => forward(batch.Images);", "private Tensor Predict(Images batch) => forward(batch.Pixels);")
            .Replace("public enum Activation", "public sealed record Images(Tensor Pixels);\n\n        public enum Activation");
        var output = Run(otherBatch);
        output.AssertCompilesCleanly();
        Assert.DoesNotContain("CreateCommand(\"predict\"", output.Files["Samples.ClassifierCli.g.cs"]);
    }

    [Fact]
    public void TheAliasDiagnosticsAreDocumented()
    {
        var docs = System.IO.File.ReadAllText(System.IO.Path.Combine(RepositoryRoot(), "docs", "diagnostics.md"));
        foreach (var descriptor in new[] { VoltGenerator.CliAliasUnknownOption, VoltGenerator.CliAliasClash, VoltGenerator.CliAliasNotAnOptionToken })
        {
            Assert.Equal("docs/diagnostics.md#" + descriptor.Id.ToLowerInvariant(), descriptor.HelpLinkUri);
            Assert.Contains("## " + descriptor.Id, docs);
            Assert.Contains($"[{descriptor.Id}](#{descriptor.Id.ToLowerInvariant()})", docs);
        }
    }

    [Theory]
    [InlineData("hiddenSize", "hidden-size")]
    [InlineData("MaxEpochs", "max-epochs")]
    [InlineData("CheckValEveryNEpoch", "check-val-every-n-epoch")]
    [InlineData("LimitTrainBatches", "limit-train-batches")]
    [InlineData("learning_rate", "learning-rate")]
    [InlineData("useGPU", "use-gpu")]
    [InlineData("lr", "lr")]
    public void NamesBecomeKebabCase(string name, string expected)
        => Assert.Equal(expected, CliParser.ToKebabCase(name));

    [Fact]
    public void HyperparametersCarryTheirDefaultLiteralAndParamText()
    {
        var compilation = Compilation(DocumentedModule);
        var type = compilation.GetTypeByMetadataName("Samples.Classifier")!;
        var module = ModuleParser.ParseForGeneration(compilation, type, default).Module!;
        var items = module.Hyperparameters.Items.ToDictionary(h => h.Name);

        Assert.Equal("128", items["hiddenSize"].DefaultLiteral);
        Assert.Equal("0.001d", items["learningRate"].DefaultLiteral);
        Assert.Equal("global::Samples.Activation.Tanh", items["activation"].DefaultLiteral);
        Assert.Equal("null", items["note"].DefaultLiteral);
        Assert.Equal("Width of the Linear hidden layer.", items["hiddenSize"].Documentation);
        Assert.Equal("The Adam learning rate.", items["learningRate"].Documentation);
        Assert.Null(items["note"].Documentation);
    }

    private static string RepositoryRoot([System.Runtime.CompilerServices.CallerFilePath] string path = "")
        => System.IO.Path.GetFullPath(System.IO.Path.Combine(System.IO.Path.GetDirectoryName(path)!, ".."));

    private static CSharpCompilation Compilation(string source)
        => GeneratorHarness.CreateCompilation(source).AddReferences(
            MetadataReference.CreateFromFile(typeof(System.CommandLine.RootCommand).Assembly.Location),
            MetadataReference.CreateFromFile(typeof(YamlDotNet.RepresentationModel.YamlStream).Assembly.Location));

    private static GeneratorOutput Run(string source)
    {
        var driver = GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(Compilation(source), out var output, out var diagnostics);
        var result = driver.GetRunResult().Results.Single();
        if (result.Exception is not null)
        {
            throw new InvalidOperationException("The generator threw.", result.Exception);
        }

        var files = result.GeneratedSources.ToDictionary(s => s.HintName, s => s.SourceText.ToString(), StringComparer.Ordinal);
        return new GeneratorOutput(files, output, diagnostics);
    }
}
