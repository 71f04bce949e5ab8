using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Volt.Generators.Model;

namespace Volt.Generators.Parsing;

internal sealed partial class ModuleParser
{
    /// <summary>The members of the module surface, in the order they are written.</summary>
    internal static readonly string[] SurfaceMembers = [WellKnownNames.StateField, "Device", "GlobalRank", "IsGlobalZero", "Log", "ManualBackward", "ManualStep"];

    /// <summary>Problems after which a partial declaration of the class would add errors of its own.</summary>
    private static readonly HashSet<ModuleProblemKind> NoSurfaceKinds =
    [
        ModuleProblemKind.NotAClass,
        ModuleProblemKind.NotPartial,
        ModuleProblemKind.UnsupportedClassShape,
        ModuleProblemKind.DerivesFromVoltModule,
    ];

    /// <summary>Parses <paramref name="type"/> for the generator: the module, or its surface when it has problems.</summary>
    public static GeneratedModule ParseForGeneration(Compilation compilation, INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        var parser = new ModuleParser(compilation, type, cancellationToken);
        var model = parser.Parse();
        if (parser.problems.Count == 0 && model is not null)
        {
            return new GeneratedModule(type.Name, model, null, null);
        }

        return new GeneratedModule(type.Name, null, parser.ParseSurface(), null);
    }

    private ModuleSurfaceModel? ParseSurface()
    {
        if (hierarchy is null || torch is null || problems.Any(p => NoSurfaceKinds.Contains(p.Kind)))
        {
            return null;
        }

        var members = SurfaceMembers.Where(name => !type.GetMembers(name).Any(UserCode.IsUserDeclared) && InheritedMember(name) is null).ToList();
        if (!members.Contains(WellKnownNames.StateField))
        {
            return null;
        }

        var manual = type.GetMembers().OfType<IMethodSymbol>()
            .SelectMany(m => m.GetAttributes())
            .Any(a => a.AttributeClass?.ToDisplayString() == WellKnownNames.TrainingStepAttribute
                      && a.NamedArguments.Any(n => n.Key == "AutomaticOptimization" && n.Value.Value is false));
        return new ModuleSurfaceModel(hierarchy, type.Name, manual, members.ToEquatableArray());
    }
}
