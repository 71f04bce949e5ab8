using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;

namespace Volt.Loops;

/// <summary>
/// SIGINT and SIGTERM handling for one fit: the first signal is recorded (the loop stops after the
/// current batch); a second SIGINT or SIGTERM is not intercepted, so the process ends at once.
/// Registrations are per fit and removed on dispose; two trainers in one process each get the signal.
/// </summary>
internal sealed class InterruptSignals : IDisposable
{
    private readonly PosixSignalRegistration[] registrations;
    private readonly TextWriter messages;
    private int requested;

    public InterruptSignals(TextWriter messages)
    {
        this.messages = messages;
        registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal), PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal)];
    }

    /// <summary>The first signal received, or null.</summary>
    public PosixSignal? Requested => Volatile.Read(ref requested) switch
    {
        0 => null,
        var signal => (PosixSignal)signal,
    };

    public void Dispose()
    {
        foreach (var registration in registrations)
        {
            registration.Dispose();
        }
    }

    private void OnSignal(PosixSignalContext signal)
    {
        if (Interlocked.CompareExchange(ref requested, (int)signal.Signal, 0) != 0)
        {
            // The second signal: let the runtime's default handling end the process now.
            return;
        }

        signal.Cancel = true;
        messages.WriteLine($"{Name(signal.Signal)} received: finishing the current batch, then saving last.ckpt. Press Ctrl+C again to exit at once.");
        messages.Flush();
    }

    /// <summary>The signal's usual name (SIGINT, SIGTERM).</summary>
    public static string Name(PosixSignal signal) => signal switch
    {
        PosixSignal.SIGINT => "SIGINT",
        PosixSignal.SIGTERM => "SIGTERM",
        _ => signal.ToString(),
    };
}
