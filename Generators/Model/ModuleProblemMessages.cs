using System;
using System.Globalization;
using System.Linq;

namespace Volt.Generators.Model;

/// <summary>
/// The message format of each <see cref="ModuleProblemKind"/>, with its parts named. The analyzers'
/// descriptors use these formats, and <see cref="ModuleProblem.Detail"/> fills them in, so the
/// parser's arguments and the diagnostic text cannot drift apart.
/// </summary>
internal static class ModuleProblemMessages
{
    /// <summary>{0}: the type; {1}: what it is ("a record", "a struct", ...).</summary>
    public const string NotAClass = "'{0}' is {1}; step attributes belong on methods of a partial class that derives from TorchSharp's nn.Module";

    /// <summary>{0}: the module class; {1}: the types that are not partial, quoted.</summary>
    public const string NotPartial = "'{0}' and every type it is nested in must be declared partial on every declaration so Volt can generate its training loop; not partial: {1}";

    /// <summary>{0}: the class; {1}: why it is not a module.</summary>
    public const string NotAModule = "'{0}' has step methods but {1}; a Volt module is a partial class that derives from TorchSharp's nn.Module (for example Module<Tensor, Tensor>)";

    /// <summary>{0}: the class; {1}: what makes its shape unsupported.</summary>
    public const string UnsupportedClassShape = "'{0}' {1}; the generated loop needs a concrete class (not abstract, not static) declared in a namespace or a class";

    /// <summary>{0}: the attribute; {1}: the first method; {2}: the second method.</summary>
    public const string DuplicateStepAttribute = "{0} is on both '{1}' and '{2}'; a module has at most one {0} method";

    /// <summary>{0}: the attribute; {1}: the method; {2}: what is wrong; {3}: the accepted signatures.</summary>
    public const string UnsupportedStepSignature = "{0} '{1}' {2}; accepted: {3}";

    /// <summary>{0}: the module class.</summary>
    public const string MissingConfigureOptimizers = "'{0}' has a [TrainingStep] but no [ConfigureOptimizers] method; add one that returns the optimizer, e.g. [ConfigureOptimizers] Optimizer Optimizers() => optim.Adam(parameters(), 1e-3);";

    /// <summary>{0}: the [ConfigureOptimizers] method; {1}: what is wrong.</summary>
    public const string UnsupportedConfigureOptimizers = "[ConfigureOptimizers] '{0}' {1}; accepted: an instance method without parameters that returns an optimizer (optim.Optimizer or a subclass), a Volt.OptimizerConfig (an optimizer with a scheduler), or, under manual optimization ([TrainingStep(AutomaticOptimization = false)]), a tuple of 2 to 7 of them";

    /// <summary>{0}: the batch type; {1}: the step; {2}: what the transfer cannot handle.</summary>
    public const string UnsupportedBatchType = "The batch type '{0}' of '{1}' {2}; use a Tensor, a record, a record struct, a struct, a class with settable properties or a ValueTuple of up to 7 elements whose tensors are direct members";

    /// <summary>{0}: the hyperparameter; {1}: the module class; {2}: what is wrong.</summary>
    public const string UnsupportedHyperparameter = "The hyperparameter '{0}' of '{1}' {2}";

    /// <summary>{0}: the module class; {1}: "declares" or "inherits from 'Base'"; {2}: the member; {3}: what Volt generates it for (may be empty).</summary>
    public const string NameConflict = "'{0}' {1} the member '{2}', which Volt generates{3}; rename that member";

    /// <summary>{0}: the class that carries [Monitor].</summary>
    public const string MonitorWithoutMetric = "[Monitor] on '{0}' needs the name of a logged metric, for example [Monitor(\"val_loss\")]";

    /// <summary>{0}: the derived class; {1}: what it declares; {2}: the base Volt module.</summary>
    public const string DerivesFromVoltModule = "'{0}' {1}, but it derives from the Volt module '{2}', whose generated loop runs its own steps and [ConfigureOptimizers] (one class of a hierarchy owns the loop); override {2}'s virtual methods without attributes, or keep every step and [ConfigureOptimizers] in one class";

    /// <summary>The message format of <paramref name="kind"/>; a kind without one throws, and a test enumerates every kind.</summary>
    public static string FormatOf(ModuleProblemKind kind) => kind switch
    {
        ModuleProblemKind.NotAClass => NotAClass,
        ModuleProblemKind.NotPartial => NotPartial,
        ModuleProblemKind.NotAModule => NotAModule,
        ModuleProblemKind.UnsupportedClassShape => UnsupportedClassShape,
        ModuleProblemKind.DuplicateStepAttribute => DuplicateStepAttribute,
        ModuleProblemKind.UnsupportedStepSignature => UnsupportedStepSignature,
        ModuleProblemKind.MissingConfigureOptimizers => MissingConfigureOptimizers,
        ModuleProblemKind.UnsupportedConfigureOptimizers => UnsupportedConfigureOptimizers,
        ModuleProblemKind.UnsupportedBatchType => UnsupportedBatchType,
        ModuleProblemKind.UnsupportedHyperparameter => UnsupportedHyperparameter,
        ModuleProblemKind.NameConflict => NameConflict,
        ModuleProblemKind.MonitorWithoutMetric => MonitorWithoutMetric,
        ModuleProblemKind.DerivesFromVoltModule => DerivesFromVoltModule,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "A ModuleProblemKind without a message format."),
    };

    /// <summary>The message of <paramref name="kind"/> with <paramref name="arguments"/> filled in.</summary>
    public static string Format(ModuleProblemKind kind, EquatableArray<string> arguments)
        => string.Format(CultureInfo.InvariantCulture, FormatOf(kind), arguments.Cast<object>().ToArray());
}
