using System;
using System.ComponentModel;
using System.Linq;
using System.Reflection;
using Volt.Checkpoints;

namespace Volt.Runtime.Tests.Training;

/// <summary>
/// Runtime members that exist only for generated code are hidden from users' IntelliSense
/// ([EditorBrowsable(Never)]), as LoggerMessage's support types are; the API users call stays visible.
/// </summary>
public sealed class GeneratedCodeSupportVisibilityTests
{
    /// <summary>Types hidden as a whole.</summary>
    public static TheoryData<Type> HiddenTypes => new() { typeof(ModuleState), typeof(BatchTransfer), typeof(Volt.Profiling.ProfiledAction), typeof(Volt.Profiling.ProfileScope) };

    /// <summary>Members the generated code calls (type, member name; every overload of the name).</summary>
    public static TheoryData<Type, string> HiddenMembers => new()
    {
        { typeof(ModuleState), nameof(ModuleState.Log) },
        { typeof(ModuleState), nameof(ModuleState.Device) },
        { typeof(ModuleState), nameof(ModuleState.GlobalRank) },
        { typeof(ModuleState), nameof(ModuleState.ManualBackward) },
        { typeof(ModuleState), nameof(ModuleState.ManualStep) },
        { typeof(HyperparameterFile), nameof(HyperparameterFile.Save) },
        { typeof(HyperparameterFile), nameof(HyperparameterFile.Property) },
        { typeof(HyperparameterFile), nameof(HyperparameterFile.IsNull) },
        { typeof(TrainingCheckpoint), nameof(TrainingCheckpoint.ReadHyperparameters) },
        { typeof(TrainingCheckpoint), nameof(TrainingCheckpoint.LoadModelState) },
        { typeof(IVoltModule), nameof(IVoltModule.State) },
        { typeof(IFitModule<>), "RunFit" },
        { typeof(IFitModule<,>), "RunFit" },
        { typeof(IValidateModule<>), "RunValidate" },
        { typeof(ITestModule<>), "RunTest" },
        { typeof(IPredictModule<,>), "RunPredict" },
    };

    [Theory]
    [MemberData(nameof(HiddenTypes))]
    public void SupportTypeIsHidden(Type type) => Assert.True(IsHidden(type), type.Name + " lacks [EditorBrowsable(Never)]");

    [Theory]
    [MemberData(nameof(HiddenMembers))]
    public void SupportMemberIsHidden(Type type, string name)
    {
        var members = type.GetMember(name, BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static);
        Assert.NotEmpty(members);
        Assert.All(members, member => Assert.True(IsHidden(member), $"{type.Name}.{name} lacks [EditorBrowsable(Never)]"));
    }

    /// <summary>What users call stays in IntelliSense: the hiding is targeted, not blanket.</summary>
    [Fact]
    public void UserFacingApiIsVisible()
    {
        Assert.False(IsHidden(typeof(Trainer)));
        Assert.False(IsHidden(typeof(HyperparameterFile)));
        Assert.False(IsHidden(typeof(TrainingCheckpoint)));
        Assert.False(IsHidden(typeof(IVoltModule)));
        Assert.False(IsHidden(typeof(IVoltModule).GetProperty(nameof(IVoltModule.Module))!));
        Assert.False(IsHidden(typeof(CheckpointReader).GetMethod(nameof(CheckpointReader.Open))!));
        Assert.False(IsHidden(typeof(HyperparameterFile).GetField(nameof(HyperparameterFile.FileName))!));
    }

    private static bool IsHidden(MemberInfo member)
        => member.GetCustomAttributes<EditorBrowsableAttribute>(inherit: false).Any(a => a.State == EditorBrowsableState.Never);
}
