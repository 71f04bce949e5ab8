using System;
using System.ComponentModel;
using System.Diagnostics;

namespace Volt.Profiling;

/// <summary>
/// Times one <see cref="ProfiledAction"/> from its creation to <see cref="Dispose"/>, for a
/// <c>using</c> block of the generated loop. A struct, so timing allocates nothing; when the profiler
/// is off it is the default value and <see cref="Dispose"/> does nothing.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct ProfileScope : IDisposable
{
    private readonly SimpleProfiler? profiler;
    private readonly ProfiledAction action;
    private readonly long started;

    private ProfileScope(SimpleProfiler profiler, ProfiledAction action)
    {
        this.profiler = profiler;
        this.action = action;
        started = Stopwatch.GetTimestamp();
    }

    /// <summary>A scope timing <paramref name="action"/>, or one that does nothing when <paramref name="profiler"/> is null.</summary>
    internal static ProfileScope Start(SimpleProfiler? profiler, ProfiledAction action)
        => profiler is null ? default : new ProfileScope(profiler, action);

    /// <summary>Records the time since the scope started.</summary>
    public void Dispose() => profiler?.Record(action, started);
}
