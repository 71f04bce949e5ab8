using Microsoft.CodeAnalysis.Diagnostics;

namespace Volt.Analyzers.Rules;

/// <summary>
/// The shape every Volt analyzer shares: no analysis of generated code, concurrent execution, and
/// nothing at all unless the compilation references TorchSharp and Volt.
/// </summary>
public abstract class VoltAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public sealed override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            if (ModuleSymbols.Resolve(start.Compilation) is { } symbols)
            {
                Register(start, symbols);
            }
        });
    }

    /// <summary>Registers the rule's actions for a compilation that uses Volt.</summary>
    private protected abstract void Register(CompilationStartAnalysisContext start, ModuleSymbols symbols);
}
