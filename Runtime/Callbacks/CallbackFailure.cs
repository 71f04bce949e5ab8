using System;

namespace Volt.Callbacks;

/// <summary>
/// Which callback hook an exception came from. An exception thrown by a callback leaves the trainer unchanged
/// (same type, message and stack trace), with the callback and the hook added to its <see cref="Exception.Data"/>
/// under <see cref="CallbackKey"/> and <see cref="HookKey"/>; read them with <see cref="TryGetSource"/>.
/// </summary>
public static class CallbackFailure
{
    /// <summary>The <see cref="Exception.Data"/> key of the failing callback's <see cref="Callback.StateKey"/>.</summary>
    public const string CallbackKey = "Volt.Callback";

    /// <summary>The <see cref="Exception.Data"/> key of the hook that threw, for example <c>OnTrainEpochEnd</c>.</summary>
    public const string HookKey = "Volt.CallbackHook";

    /// <summary>Reads the callback and hook an exception came from.</summary>
    /// <param name="error">The exception.</param>
    /// <param name="callback">The callback's <see cref="Callback.StateKey"/>, or null.</param>
    /// <param name="hook">The hook's name, or null.</param>
    /// <returns>True when a callback hook threw <paramref name="error"/>.</returns>
    public static bool TryGetSource(Exception error, out string? callback, out string? hook)
    {
        ArgumentNullException.ThrowIfNull(error);
        callback = error.Data[CallbackKey] as string;
        hook = error.Data[HookKey] as string;
        return callback is not null;
    }
}
