using System;
using System.Threading;

namespace Volt.Runtime.Tests.Strategies;

/// <summary>
/// An in-memory rendezvous for ranks that run as threads of one process: every collective is one
/// <see cref="Exchange{T}"/>, where each rank puts its value in and gets every rank's value back. A
/// rank that waits longer than <see cref="Timeout"/> fails instead of hanging the test run, naming the
/// collective it was in (the ranks' collective calls did not match).
/// </summary>
internal sealed class InProcessGroup : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly Barrier barrier;
    private readonly object?[] slots;

    public InProcessGroup(int size)
    {
        Size = size;
        slots = new object?[size];
        barrier = new Barrier(size);
    }

    public int Size { get; }

    /// <summary>Puts <paramref name="value"/> in for <paramref name="rank"/> and returns every rank's value, in rank order.</summary>
    public T[] Exchange<T>(int rank, T value, string collective)
    {
        slots[rank] = value;
        Wait(rank, collective);
        var values = new T[Size];
        for (var i = 0; i < Size; i++)
        {
            values[i] = (T)slots[i]!;
        }

        // Nobody writes the next value before every rank has read this one.
        Wait(rank, collective);
        return values;
    }

    public void Dispose() => barrier.Dispose();

    private void Wait(int rank, string collective)
    {
        if (!barrier.SignalAndWait(Timeout))
        {
            throw new TimeoutException($"Rank {rank} waited {Timeout.TotalSeconds} s in {collective}: the ranks did not enter the same collectives.");
        }
    }
}
