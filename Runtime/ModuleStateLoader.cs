using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace Volt;

/// <summary>
/// Copies stored tensors into a module's parameters and buffers by name, all or nothing: the names
/// must match exactly and every shape and dtype must equal the module's, and every tensor is read
/// and checked before the first parameter changes. The weights files (<c>Export/StateDict</c>) and
/// the training checkpoints (<c>Checkpoints/TrainingCheckpoint</c>) load through it; each names the
/// problems in its own words through an <see cref="IModuleStateErrors"/>.
/// </summary>
internal static class ModuleStateLoader
{
    /// <summary>Loads the tensors called <paramref name="storedNames"/> into <paramref name="module"/>.</summary>
    /// <param name="module">The module whose <c>state_dict()</c> receives the values.</param>
    /// <param name="storedNames">The names of the stored tensors, in storage order.</param>
    /// <param name="read">Reads one stored tensor as a new tensor the loader owns (and disposes).</param>
    /// <param name="errors">The caller's messages.</param>
    public static void Load(nn.Module module, IReadOnlyList<string> storedNames, Func<string, Tensor> read, IModuleStateErrors errors)
    {
        var target = module.state_dict();
        var stored = storedNames.ToHashSet(StringComparer.Ordinal);
        var missing = target.Keys.Where(name => !stored.Contains(name)).ToList();
        if (missing.Count > 0)
        {
            throw errors.Missing(missing);
        }

        var unexpected = storedNames.Where(name => !target.ContainsKey(name)).ToList();
        if (unexpected.Count > 0)
        {
            throw errors.Unexpected(unexpected, target.Keys.ToList());
        }

        var values = new List<(Tensor Target, Tensor Value)>();
        try
        {
            foreach (var (name, tensor) in target)
            {
                var value = read(name);
                values.Add((tensor, value));
                if (!value.shape.SequenceEqual(tensor.shape) || value.dtype != tensor.dtype)
                {
                    throw errors.Mismatch(name, value, tensor);
                }

                if (errors.Reject(name, value) is { } rejected)
                {
                    throw rejected;
                }
            }

            using var noGrad = no_grad();
            foreach (var (tensor, value) in values)
            {
                tensor.copy_(value);
            }
        }
        finally
        {
            foreach (var (_, value) in values)
            {
                value.Dispose();
            }
        }
    }
}
