using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using Basic.Reference.Assemblies;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Volt.Generators;

namespace Volt.Benchmarks;

/// <summary>Times the source generator on a compilation with many module classes, cold and after a method-body edit.</summary>
public sealed class GeneratorBenchmark
{
    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private readonly CSharpCompilation compilation;
    private readonly CSharpCompilation edited;

    public GeneratorBenchmark(int moduleCount)
    {
        ModuleCount = moduleCount;
        var trees = Enumerable.Range(0, moduleCount).Select(i => Parse(ModuleSource(i, bodyVariant: 0), i)).ToList();
        compilation = CSharpCompilation.Create(
            "GeneratorBenchmark",
            trees,
            [
                .. Net100.References.All,
                MetadataReference.CreateFromFile(typeof(TorchSharp.torch).Assembly.Location),
                MetadataReference.CreateFromFile(typeof(Trainer).Assembly.Location),
            ],
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        edited = compilation.ReplaceSyntaxTree(trees[0], Parse(ModuleSource(0, bodyVariant: 1), 0));
    }

    public int ModuleCount { get; }

    /// <summary>Runs the generator on a fresh driver; returns the seconds taken and the run result.</summary>
    public (double Seconds, GeneratorDriver Driver) RunCold()
    {
        var driver = CreateDriver();
        var clock = Stopwatch.StartNew();
        driver = driver.RunGenerators(compilation);
        return (clock.Elapsed.TotalSeconds, driver);
    }

    /// <summary>Re-runs a driver that has seen the compilation, after a method-body edit in one module.</summary>
    public (double Seconds, GeneratorDriverRunResult Result) RunAfterEdit(GeneratorDriver warmDriver)
    {
        var clock = Stopwatch.StartNew();
        var driver = warmDriver.RunGenerators(edited);
        return (clock.Elapsed.TotalSeconds, driver.GetRunResult());
    }

    /// <summary>The correctness checks behind the numbers: one file per module, clean compilation, cached re-run.</summary>
    public IReadOnlyList<string> Check()
    {
        var problems = new List<string>();
        var driver = CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        var generated = driver.GetRunResult().GeneratedTrees.Length;
        if (generated != ModuleCount)
        {
            problems.Add($"expected {ModuleCount} generated files, got {generated}");
        }

        problems.AddRange(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Take(5).Select(d => d.ToString()));
        var rerun = driver.RunGenerators(edited).GetRunResult();
        var reasons = rerun.Results.Single().TrackedSteps[TrackingNames.TrainingStepModules]
            .SelectMany(s => s.Outputs)
            .Select(o => o.Reason)
            .ToList();
        if (reasons.Count != ModuleCount || reasons.Any(r => r is not (IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged)))
        {
            problems.Add("after a method-body edit the module models were not all cached or unchanged: " + string.Join(", ", reasons.Distinct()));
        }

        return problems;
    }

    private static GeneratorDriver CreateDriver()
        => CSharpGeneratorDriver.Create(
            [new VoltGenerator().AsSourceGenerator()],
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    private static SyntaxTree Parse(string source, int index) => CSharpSyntaxTree.ParseText(source, ParseOptions, path: $"Module{index}.cs");

    private static string ModuleSource(int index, int bodyVariant) => $$"""
        using TorchSharp;
        using TorchSharp.Modules;
        using Volt;
        using static TorchSharp.torch;

        namespace Bench.Models{{index % 10}};

        public sealed record Batch{{index}}(Tensor X, Tensor Y);

        [Monitor("val_loss", MonitorMode.Min)]
        public sealed partial class Model{{index}}(int hidden = {{16 + index}}, double learningRate = 1e-3, string name = "m{{index}}")
            : nn.Module<Tensor, Tensor>("model{{index}}")
        {
            private readonly Linear first = nn.Linear(8, hidden);
            private readonly Linear second = nn.Linear(hidden, 1);

            public override Tensor forward(Tensor x) => second.forward(nn.functional.relu(first.forward(x)));

            [TrainingStep]
            private Tensor Train(Batch{{index}} batch, int batchIndex)
            {
                var loss = nn.functional.mse_loss(forward(batch.X), batch.Y) * {{1 + bodyVariant}};
                Log("train_loss", loss);
                return loss;
            }

            [ValidationStep]
            private void Validate(Batch{{index}} batch) => Log("val_loss", nn.functional.mse_loss(forward(batch.X), batch.Y));

            [ConfigureOptimizers]
            private optim.Optimizer Optimizers() => optim.Adam(parameters(), learningRate);
        }
        """;
}
