using System.Collections.Concurrent;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Volt.Analyzers.Rules;

/// <summary>
/// The static fields and properties that code in the compilation writes (outside static
/// constructors, which only initialize). A static that nothing writes, such as TorchSharp's dtype
/// aliases <c>torch.float32</c>, is not shared mutable state even when it is not readonly.
/// Reads of a static are judged at the compilation's end, once every write is known.
/// </summary>
internal sealed class StaticWrites
{
    private readonly ConcurrentDictionary<ISymbol, bool> written = new(SymbolEqualityComparer.Default);
    private readonly ConcurrentBag<(Location Location, string Method, ISymbol Member, bool IsWrite)> uses = [];

    private StaticWrites()
    {
    }

    /// <summary>Collects the writes of the compilation and reports the pending uses at its end.</summary>
    public static StaticWrites Register(CompilationStartAnalysisContext start)
    {
        var writes = new StaticWrites();
        start.RegisterOperationAction(writes.Collect, OperationKind.FieldReference, OperationKind.PropertyReference);
        start.RegisterCompilationEndAction(writes.Report);
        return writes;
    }

    /// <summary>A use of a static by a method that a step reaches; reported at the end when it writes, or reads a static something writes.</summary>
    public void AddUse(Location location, string method, ISymbol member, bool isWrite) => uses.Add((location, method, member.OriginalDefinition, isWrite));

    /// <summary>True when <paramref name="reference"/> is assigned, incremented, deconstructed into or passed by ref or out.</summary>
    public static bool IsWriteTarget(IOperation reference)
        => reference.Parent switch
        {
            IAssignmentOperation assignment => assignment.Target == reference,
            IIncrementOrDecrementOperation => true,
            IArgumentOperation argument => argument.Parameter?.RefKind is RefKind.Ref or RefKind.Out,
            ITupleOperation { Parent: IDeconstructionAssignmentOperation deconstruction } tuple => deconstruction.Target == tuple,
            _ => false,
        };

    private void Collect(OperationAnalysisContext context)
    {
        var reference = (IMemberReferenceOperation)context.Operation;
        if (reference.Member.IsStatic && context.ContainingSymbol is not IMethodSymbol { MethodKind: MethodKind.StaticConstructor } && IsWriteTarget(reference))
        {
            written[reference.Member.OriginalDefinition] = true;
        }
    }

    private void Report(CompilationAnalysisContext context)
    {
        foreach (var (location, method, member, isWrite) in uses)
        {
            if (isWrite || written.ContainsKey(member))
            {
                var name = member.ContainingType?.Name + "." + member.Name;
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.GlobalState, location, method, isWrite ? "writes" : "reads", name));
            }
        }
    }
}
