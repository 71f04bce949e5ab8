namespace Volt.Profiling;

/// <summary>The accepted <see cref="TrainerOptions.Profiler"/> values (Lightning's <c>Trainer(profiler="simple")</c>).</summary>
internal static class ProfilerNames
{
    /// <summary>Lightning's <c>SimpleProfiler</c>: the duration of every hook and phase.</summary>
    public const string Simple = "simple";

    /// <summary>No profiler (the default, like null).</summary>
    public const string None = "none";

    /// <summary>True when <paramref name="profiler"/> turns the simple profiler on.</summary>
    public static bool IsSimple(string? profiler) => profiler == Simple;

    /// <summary>The problem with <paramref name="profiler"/> as one sentence naming the option, or null when it is accepted.</summary>
    public static string? Problem(string? profiler)
        => profiler is null or None or Simple
            ? null
            : $"Profiler is \"{profiler}\"; allowed values are \"{Simple}\" (time every hook and phase), and \"{None}\" or null for no profiler";
}
