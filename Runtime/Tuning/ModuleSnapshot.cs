using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace Volt.Tuning;

/// <summary>
/// A copy of what a tuning run changes in a module and in torch: the state dict (parameters and buffers), each
/// parameter's gradient, the train/eval mode and the CPU random generator's state. <see cref="Restore"/> puts
/// them back bit for bit (Lightning does the same through a temporary checkpoint file; Volt keeps it in memory).
/// The snapshot owns its tensor copies and frees them on <see cref="Dispose"/>.
/// </summary>
internal sealed class ModuleSnapshot : IDisposable
{
    private readonly nn.Module module;
    private readonly Dictionary<string, Tensor> state = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Tensor?> gradients = new(StringComparer.Ordinal);
    private readonly bool training;
    private readonly Tensor rngState;

    private ModuleSnapshot(nn.Module module)
    {
        this.module = module;
        training = module.training;
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        foreach (var (name, tensor) in module.state_dict())
        {
            state[name] = tensor.detach().clone().DetachFromDisposeScope();
        }

        foreach (var (name, parameter) in module.named_parameters())
        {
            gradients[name] = parameter.grad?.detach().clone().DetachFromDisposeScope();
        }

        rngState = torch.get_rng_state().DetachFromDisposeScope();
    }

    /// <summary>Copies the current state of <paramref name="module"/> and of torch's CPU generator.</summary>
    public static ModuleSnapshot Capture(nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        return new ModuleSnapshot(module);
    }

    /// <summary>Writes the captured values back into the module's own tensors (in place, so references to them stay valid). It can be called more than once.</summary>
    /// <exception cref="InvalidOperationException">The module's state dict no longer has the captured entries.</exception>
    public void Restore()
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var current = module.state_dict();
        if (current.Count != state.Count || current.Keys.Any(name => !state.ContainsKey(name)))
        {
            throw new InvalidOperationException(
                $"{module.GetType().Name} changed its parameters or buffers during tuning, so its state cannot be restored: "
                + $"it had [{string.Join(", ", state.Keys)}] and has [{string.Join(", ", current.Keys)}].");
        }

        foreach (var (name, tensor) in current)
        {
            tensor.copy_(state[name]);
        }

        foreach (var (name, parameter) in module.named_parameters())
        {
            // A fresh copy each time: the gradient is accumulated in place, and a snapshot may be restored more than once.
            parameter.grad = gradients[name] is { } saved ? saved.to(parameter.device).clone() : null;
        }

        module.train(training);
        torch.set_rng_state(rngState);
    }

    /// <summary>Frees the copies.</summary>
    public void Dispose()
    {
        foreach (var tensor in state.Values)
        {
            tensor.Dispose();
        }

        foreach (var tensor in gradients.Values)
        {
            tensor?.Dispose();
        }

        rngState.Dispose();
    }
}
