namespace Volt.Generators.Tests.Analyzers;

/// <summary>The usings and module members the analyzer tests share.</summary>
internal static class AnalyzerSources
{
    public const string Usings = """
        using System;
        using TorchSharp;
        using TorchSharp.Modules;
        using Volt;
        using static TorchSharp.torch;

        """;

    /// <summary>A layer and forward, so a test module is a complete nn.Module.</summary>
    public const string Members = """
            private readonly Linear layer = nn.Linear(4, 1);
            public override Tensor forward(Tensor input) => layer.forward(input);
        """;
}
