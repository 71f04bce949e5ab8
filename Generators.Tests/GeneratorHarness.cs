using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Basic.Reference.Assemblies;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Volt.Generators.Tests;

/// <summary>Compiles test sources against .NET 10 reference assemblies, TorchSharp and Volt, and runs the generator.</summary>
internal static class GeneratorHarness
{
    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    public static readonly ImmutableArray<MetadataReference> References =
    [
        .. Net100.References.All,
        MetadataReference.CreateFromFile(typeof(TorchSharp.torch).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(Volt.Trainer).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(Volt.Serving.ServeAttribute).Assembly.Location),
    ];

    public static CSharpCompilation CreateCompilation(params string[] sources)
        => CSharpCompilation.Create(
            "TestModules",
            sources.Select((source, i) => CSharpSyntaxTree.ParseText(source, ParseOptions, path: $"Source{i}.cs")),
            References,
            new CSharpCompilationOptions(
                OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable,
                // The SDK suppresses these two unification notes in every build; so do the tests.
                specificDiagnosticOptions: [new("CS1701", ReportDiagnostic.Suppress), new("CS1702", ReportDiagnostic.Suppress)]));

    public static GeneratorDriver CreateDriver()
        => CSharpGeneratorDriver.Create(
            [new VoltGenerator().AsSourceGenerator()],
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator once and returns the generated files and the output compilation.</summary>
    public static GeneratorOutput Run(params string[] sources)
    {
        var compilation = CreateCompilation(sources);
        var driver = CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        var result = driver.GetRunResult().Results.Single();
        if (result.Exception is not null)
        {
            throw new InvalidOperationException("The generator threw.", result.Exception);
        }

        var files = result.GeneratedSources
            .OrderBy(s => s.HintName, StringComparer.Ordinal)
            .ToDictionary(s => s.HintName, s => s.SourceText.ToString(), StringComparer.Ordinal);
        return new GeneratorOutput(files, output, generatorDiagnostics);
    }
}

/// <summary>What one generator run produced.</summary>
internal sealed record GeneratorOutput(IReadOnlyDictionary<string, string> Files, Compilation Compilation, ImmutableArray<Diagnostic> GeneratorDiagnostics)
{
    /// <summary>Errors and warnings of the compilation that includes the generated files.</summary>
    public IReadOnlyList<Diagnostic> CompilationProblems()
        => Compilation.GetDiagnostics()
            .Concat(GeneratorDiagnostics)
            .Where(d => d.Severity >= DiagnosticSeverity.Warning)
            .ToList();

    /// <summary>Fails with every error and warning, and the generated text, when the output does not compile cleanly.</summary>
    public void AssertCompilesCleanly()
    {
        var problems = CompilationProblems();
        if (problems.Count > 0)
        {
            var listing = string.Join("\n", problems.Select(d => d.ToString()));
            var generated = string.Join("\n\n", Files.Select(f => "// ==== " + f.Key + "\n" + f.Value));
            Assert.Fail($"The compilation has {problems.Count} errors or warnings:\n{listing}\n\nGenerated:\n{generated}");
        }
    }
}
