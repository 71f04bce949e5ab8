using TorchSharp;
using static TorchSharp.torch;

namespace Volt.Tuning;

/// <summary>
/// The memory measure behind the batch-size finder's explicit limit (see docs/tuning.md): the bytes of every live
/// tensor in the training step's dispose scope (the batch, activations, the loss and whatever else the step
/// created and still holds) plus the module's parameters and their gradients, each counted as elements × element
/// size. It is deterministic — independent of allocator caching, other threads and the operating system — so a
/// limit behaves the same on every machine. It does not see libtorch's temporaries inside a single operation
/// or the optimizer's state, and it counts a view as if it were a copy.
/// </summary>
public static class StepTensorBytes
{
    /// <summary>Measures the current dispose scope and <paramref name="module"/>'s parameters and gradients.</summary>
    /// <param name="module">The module being trained.</param>
    /// <returns>The bytes.</returns>
    public static long Measure(nn.Module module)
    {
        long bytes = 0;
        if (torch.CurrentDisposeScope is { } step)
        {
            foreach (var item in step.DisposablesView)
            {
                if (item is Tensor { IsInvalid: false } tensor)
                {
                    bytes += Bytes(tensor);
                }
            }
        }

        using var scope = NewDisposeScope();
        foreach (var parameter in module.parameters())
        {
            bytes += Bytes(parameter);
            if (parameter.grad is { } gradient)
            {
                bytes += Bytes(gradient);
            }
        }

        return bytes;
    }

    private static long Bytes(Tensor tensor) => tensor.NumberOfElements * tensor.ElementSize;
}
