using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace Volt.Generators.Tests.Analyzers;

/// <summary>
/// Microsoft.CodeAnalysis.Testing with hermetic references (.NET 10 reference assemblies from
/// Basic.Reference.Assemblies, TorchSharp and Volt; nothing is downloaded) and the Volt generator
/// running, as it does in a real build.
/// </summary>
internal static class VoltVerifier<TAnalyzer, TCodeFix>
    where TAnalyzer : DiagnosticAnalyzer, new()
    where TCodeFix : CodeFixProvider, new()
{
    public static Task VerifyAnalyzerAsync(string source)
    {
        var test = new Test { TestCode = source };
        return test.RunAsync();
    }

    public static Task VerifyCodeFixAsync(string source, string fixedSource)
    {
        var test = new Test { TestCode = source, FixedCode = fixedSource };
        return test.RunAsync();
    }

    private sealed class Test : CSharpCodeFixTest<TAnalyzer, TCodeFix, DefaultVerifier>
    {
        public Test()
        {
            // A framework name without a reference package: nothing to resolve or download.
            ReferenceAssemblies = new ReferenceAssemblies("net10.0");
            TestState.AdditionalReferences.AddRange(GeneratorHarness.References);
            FixedState.AdditionalReferences.AddRange(GeneratorHarness.References);
            TestBehaviors = TestBehaviors.SkipGeneratedSourcesCheck;
            CompilerDiagnostics = CompilerDiagnostics.Errors;
        }

        /// <summary>The Volt generator runs as in a real build, so generated members such as Log resolve.</summary>
        protected override System.Collections.Generic.IEnumerable<System.Type> GetSourceGenerators() => [typeof(VoltGenerator)];

        protected override ParseOptions CreateParseOptions() => new CSharpParseOptions(LanguageVersion.Latest);

        protected override CompilationOptions CreateCompilationOptions()
            => ((CSharpCompilationOptions)base.CreateCompilationOptions())
                .WithNullableContextOptions(NullableContextOptions.Enable)
                .WithSpecificDiagnosticOptions([new("CS1701", ReportDiagnostic.Suppress), new("CS1702", ReportDiagnostic.Suppress)]);
    }
}

/// <summary>For analyzers without a code fix.</summary>
internal sealed class NoFix : CodeFixProvider
{
    public override System.Collections.Immutable.ImmutableArray<string> FixableDiagnosticIds => [];

    public override Task RegisterCodeFixesAsync(CodeFixContext context) => Task.CompletedTask;
}
