using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Volt.Generators.Tests;

/// <summary>The pipeline caches: typical edits do not rebuild models or regenerate files.</summary>
public sealed class IncrementalTests
{
    private static readonly string[] Pipelines =
    [
        TrackingNames.TrainingStepModules,
        TrackingNames.ValidationStepModules,
        TrackingNames.TestStepModules,
        TrackingNames.PredictStepModules,
    ];

    [Fact]
    public void MethodBodyEditLeavesModelsCachedOrUnchanged()
    {
        var (first, second) = RunTwice(TestSources.Classifier.Replace("forward(batch.Images).argmax(1);", "forward(batch.Images).argmax(1).clone();"));
        AssertAllOutputs(second, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        Assert.Equal(GeneratedText(first), GeneratedText(second));
    }

    [Fact]
    public void UnrelatedNewFileLeavesModelsCachedOrUnchanged()
    {
        var compilation = GeneratorHarness.CreateCompilation(TestSources.Classifier);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        var edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace Other; public static class Helper { public static int Two() => 2; }", new CSharpParseOptions(LanguageVersion.Latest), path: "Other.cs"));
        driver = driver.RunGenerators(edited);
        AssertAllOutputs(driver.GetRunResult(), IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
    }

    [Fact]
    public void AttributeArgumentChangeMarksModelModified()
    {
        var (_, second) = RunTwice(TestSources.Classifier.Replace("[Monitor(\"val_acc\", MonitorMode.Max)]", "[Monitor(\"val_loss\", MonitorMode.Min)]"));
        var reasons = Reasons(second, TrackingNames.TrainingStepModules);
        Assert.Contains(IncrementalStepRunReason.Modified, reasons);
        Assert.Contains("\"val_loss\", global::Volt.MonitorMode.Min", GeneratedText(second));
    }

    [Fact]
    public void ModelsHoldNoSymbolsCompilationsOrSyntax()
    {
        var compilation = GeneratorHarness.CreateCompilation(TestSources.Classifier);
        var result = GeneratorHarness.CreateDriver().RunGenerators(compilation).GetRunResult().Results.Single();
        var models = result.TrackedSteps[TrackingNames.TrainingStepModules]
            .SelectMany(step => step.Outputs)
            .Select(output => output.Value)
            .ToList();
        Assert.NotEmpty(models);
        foreach (var model in models)
        {
            AssertPure(model, "model", new HashSet<object>(ReferenceEqualityComparer.Instance));
        }
    }

    private static void AssertPure(object? value, string path, HashSet<object> visited)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum || !visited.Add(value))
        {
            return;
        }

        Assert.False(value is ISymbol || value is Compilation || value is SemanticModel || value is SyntaxNode || value is SyntaxTree || value is Location,
            $"{path} holds a {value.GetType().Name}, which roots a compilation and breaks caching.");

        if (value is IEnumerable sequence)
        {
            var i = 0;
            foreach (var item in sequence)
            {
                AssertPure(item, $"{path}[{i++}]", visited);
            }

            return;
        }

        foreach (var property in value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length == 0 && property.Name != "EqualityContract")
            {
                AssertPure(property.GetValue(value), path + "." + property.Name, visited);
            }
        }
    }

    private static (GeneratorDriverRunResult First, GeneratorDriverRunResult Second) RunTwice(string editedSource)
    {
        var compilation = GeneratorHarness.CreateCompilation(TestSources.Classifier);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        var first = driver.GetRunResult();
        var oldTree = compilation.SyntaxTrees.Single();
        var edited = compilation.ReplaceSyntaxTree(oldTree, CSharpSyntaxTree.ParseText(editedSource, (CSharpParseOptions)oldTree.Options, oldTree.FilePath));
        return (first, driver.RunGenerators(edited).GetRunResult());
    }

    private static List<IncrementalStepRunReason> Reasons(GeneratorDriverRunResult result, string trackingName)
        => result.Results.Single().TrackedSteps.TryGetValue(trackingName, out var steps)
            ? steps.SelectMany(step => step.Outputs).Select(output => output.Reason).ToList()
            : [];

    private static void AssertAllOutputs(GeneratorDriverRunResult result, params IncrementalStepRunReason[] allowed)
    {
        var reasons = Pipelines.SelectMany(name => Reasons(result, name)).ToList();
        Assert.NotEmpty(reasons);
        Assert.All(reasons, reason => Assert.Contains(reason, allowed));
    }

    private static string GeneratedText(GeneratorDriverRunResult result)
        => string.Concat(result.Results.Single().GeneratedSources.Select(s => s.SourceText.ToString()));
}
