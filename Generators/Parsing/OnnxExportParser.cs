using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using Volt.Generators.Model;

namespace Volt.Generators.Parsing;

/// <summary>
/// Turns an [OnnxExport] class into an <see cref="OnnxExportModel"/>: checks the class, then translates its
/// forward method statement by statement (<see cref="ForwardTranslator"/> does the expressions). Any problem
/// means no model, so no export method; the analyzer reports the same problems at their expressions.
/// </summary>
internal sealed class OnnxExportParser
{
    /// <summary>The metadata name of the attribute that asks for an export method.</summary>
    public const string AttributeName = "Volt.OnnxExportAttribute";

    /// <summary>The generated method.</summary>
    public const string ExportMethodName = "ExportOnnx";

    private readonly Compilation compilation;
    private readonly INamedTypeSymbol type;
    private readonly CancellationToken cancellationToken;
    private readonly List<OnnxExportProblem> problems = [];

    private OnnxExportParser(Compilation compilation, INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        this.compilation = compilation;
        this.type = type;
        this.cancellationToken = cancellationToken;
    }

    /// <summary>Parses <paramref name="type"/>; returns the model, or null with <paramref name="problems"/> filled.</summary>
    public static OnnxExportModel? Parse(Compilation compilation, INamedTypeSymbol type, out IReadOnlyList<OnnxExportProblem> problems, CancellationToken cancellationToken)
    {
        var parser = new OnnxExportParser(compilation, type, cancellationToken);
        var model = parser.Parse();
        problems = parser.problems;
        return parser.problems.All(p => !p.Kind.PreventsExport()) ? model : null;
    }

    private OnnxExportModel? Parse()
    {
        var tensor = compilation.GetTypeByMetadataName(WellKnownNames.Tensor);
        if (tensor is null)
        {
            ReportClass("TorchSharp is not referenced; [OnnxExport] belongs on a TorchSharp nn.Module<Tensor, Tensor> class.");
            return null;
        }

        var hierarchy = ParseHierarchy();
        var forward = FindForward(tensor);
        if (type.GetMembers(ExportMethodName).Any(UserCode.IsUserDeclared))
        {
            ReportClass($"'{type.Name}' declares '{ExportMethodName}', which [OnnxExport] generates; rename the member.");
        }

        if (hierarchy is null || forward is null)
        {
            return null;
        }

        var (method, declaration) = forward.Value;
        var semanticModel = compilation.GetSemanticModel(declaration.SyntaxTree);
        if (semanticModel.GetOperation(declaration, cancellationToken) is not IMethodBodyOperation body)
        {
            ReportClass($"The forward method of '{type.Name}' has no body to translate.");
            return null;
        }

        var translator = new ForwardTranslator(compilation, type, method.Parameters[0], tensor, problems, cancellationToken);
        var statements = TranslateBody(body.BlockBody ?? body.ExpressionBody!, translator);
        if (problems.Any(p => p.Kind.PreventsExport()) || statements is null)
        {
            return null;
        }

        return new OnnxExportModel(hierarchy, type.Name, translator.InputName, translator.InputIsIndices, statements.ToEquatableArray());
    }

    private (IMethodSymbol Method, MethodDeclarationSyntax Declaration)? FindForward(INamedTypeSymbol tensor)
    {
        const string accepted = "[OnnxExport] needs an override 'Tensor forward(Tensor input)' with a body in the class (a TorchSharp nn.Module<Tensor, Tensor>).";
        var candidates = type.GetMembers("forward").OfType<IMethodSymbol>().Where(m => m.IsOverride).ToList();
        var method = candidates.FirstOrDefault(m =>
            m.Parameters.Length == 1
            && SymbolEqualityComparer.Default.Equals(m.Parameters[0].Type.OriginalDefinition, tensor)
            && SymbolEqualityComparer.Default.Equals(m.ReturnType.OriginalDefinition, tensor));
        var declaration = method?.DeclaringSyntaxReferences.Select(r => r.GetSyntax(cancellationToken)).OfType<MethodDeclarationSyntax>()
            .FirstOrDefault(d => d.Body is not null || d.ExpressionBody is not null);
        if (method is null || declaration is null)
        {
            ReportClass($"'{type.Name}' has no forward method to export. {accepted}");
            return null;
        }

        return (method, declaration);
    }

    /// <summary>The statements: tensor locals, assignments to them, a final return; a dispose scope is left out.</summary>
    private List<OnnxStatementModel>? TranslateBody(IBlockOperation block, ForwardTranslator translator)
    {
        var statements = new List<OnnxStatementModel>();
        var returned = false;
        foreach (var statement in block.Operations)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (returned)
            {
                ReportStatement(statement, "comes after the return statement");
                continue;
            }

            switch (statement)
            {
                case IUsingDeclarationOperation { DeclarationGroup: var group }:
                    Declare(group, translator, statements, isUsing: true);
                    break;
                case IVariableDeclarationGroupOperation group:
                    Declare(group, translator, statements, isUsing: false);
                    break;
                case IExpressionStatementOperation { Operation: ISimpleAssignmentOperation { Target: ILocalReferenceOperation local } assignment }
                    when translator.IsTensorLocal(local.Local):
                    if (translator.Translate(assignment.Value) is { } assigned)
                    {
                        statements.Add(new OnnxStatementModel(OnnxStatementKind.Assign, translator.LocalName(local.Local), assigned));
                    }

                    break;
                case IReturnOperation { ReturnedValue: { } value }:
                    returned = true;
                    if (translator.Translate(value) is { } result)
                    {
                        statements.Add(new OnnxStatementModel(OnnxStatementKind.Return, string.Empty, result));
                    }

                    break;
                default:
                    ReportStatement(statement, "is not a tensor variable declaration, an assignment to one or the return statement");
                    break;
            }
        }

        return returned ? statements : null;
    }

    private void Declare(IVariableDeclarationGroupOperation group, ForwardTranslator translator, List<OnnxStatementModel> statements, bool isUsing)
    {
        foreach (var declarator in group.Declarations.SelectMany(d => d.Declarators))
        {
            var initializer = declarator.Initializer?.Value;
            if (isUsing && declarator.Symbol.Type.Name == "DisposeScope")
            {
                // `using var scope = NewDisposeScope();` owns eager tensors; the graph has none to own.
                continue;
            }

            if (!translator.IsTensorType(declarator.Symbol.Type) || initializer is null)
            {
                ReportStatement(group, $"declares '{declarator.Symbol.Name}', which is not a tensor with an initial value");
                continue;
            }

            // Declared even when its value failed to translate, so later uses do not repeat the problem.
            translator.DeclareLocal(declarator.Symbol);
            if (translator.Translate(initializer) is { } value)
            {
                statements.Add(new OnnxStatementModel(OnnxStatementKind.Declare, translator.LocalName(declarator.Symbol), value));
            }
        }
    }

    private HierarchyInfo? ParseHierarchy()
        => PartialClassHierarchy.Parse(type, ".OnnxExport", "[OnnxExport]", "its ExportOnnx method", ReportClass, cancellationToken);

    private void ReportClass(string detail)
    {
        var location = type.Locations.FirstOrDefault(l => l.IsInSource) ?? Location.None;
        problems.Add(new OnnxExportProblem(OnnxExportProblemKind.UnsupportedClass, location, detail));
    }

    private void ReportStatement(IOperation statement, string why)
        => problems.Add(new OnnxExportProblem(
            OnnxExportProblemKind.UnsupportedStatement,
            statement.Syntax.GetLocation(),
            $"The statement '{ForwardTranslator.Shorten(statement.Syntax.ToString())}' in forward cannot be exported to ONNX: it {why}. Forward may hold tensor variables, assignments to them, a dispose scope and one final return."));
}

/// <summary>A reason an [OnnxExport] class gets no export method, at the code it is about. Not a pipeline model: it holds a location.</summary>
internal sealed record OnnxExportProblem(OnnxExportProblemKind Kind, Location Location, string Detail);

/// <summary>The kinds of <see cref="OnnxExportProblem"/>; each has its own diagnostic.</summary>
internal enum OnnxExportProblemKind
{
    /// <summary>An expression in forward has no ONNX translation.</summary>
    UnsupportedExpression,

    /// <summary>A statement in forward is not a declaration, assignment or return.</summary>
    UnsupportedStatement,

    /// <summary>The class itself cannot get an export method (not partial, no forward, name taken).</summary>
    UnsupportedClass,

    /// <summary>A submodule field is declared as nn.Module&lt;Tensor, Tensor&gt;: exported, but checked at run time (information only).</summary>
    RuntimeResolvedSubmodule,
}

/// <summary>Which <see cref="OnnxExportProblemKind"/>s leave the class without an export method.</summary>
internal static class OnnxExportProblemKinds
{
    /// <summary>True for every kind but the informational <see cref="OnnxExportProblemKind.RuntimeResolvedSubmodule"/>.</summary>
    public static bool PreventsExport(this OnnxExportProblemKind kind) => kind != OnnxExportProblemKind.RuntimeResolvedSubmodule;
}
