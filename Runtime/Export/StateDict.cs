using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using static TorchSharp.torch;

namespace Volt.Export;

/// <summary>
/// Named CPU tensors read from a weights file (a PyTorch <c>.pt</c> state_dict or a safetensors
/// file), in file order. It owns the tensors: dispose it when done. <see cref="LoadInto"/> copies them
/// into a module after checking names, shapes and dtypes.
/// </summary>
public sealed class StateDict : IDisposable
{
    private readonly List<(string Name, Tensor Tensor)> entries;

    internal StateDict(string path, List<(string Name, Tensor Tensor)> entries)
    {
        Path = path;
        this.entries = entries;
    }

    /// <summary>The full path of the file the tensors came from.</summary>
    public string Path { get; }

    /// <summary>The tensors by parameter name (PyTorch's dotted names, such as <c>network.hidden.weight</c>).</summary>
    public IReadOnlyList<(string Name, Tensor Tensor)> Entries => entries;

    /// <summary>The tensor called <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">There is no such tensor; the message names it and the file.</exception>
    public Tensor this[string name]
        => entries.FirstOrDefault(e => e.Name == name).Tensor
            ?? throw new KeyNotFoundException($"The weights file '{Path}' has no tensor named '{name}'.");

    /// <summary>
    /// Copies every tensor into the parameter or buffer of <paramref name="module"/> with the same name.
    /// The names must match exactly (none missing, none extra), and each shape and dtype must equal the
    /// module's; nothing is copied unless everything matches.
    /// </summary>
    /// <exception cref="InvalidDataException">A parameter is missing, unexpected, or has another shape or dtype; the message names it and the file.</exception>
    public void LoadInto(nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        var byName = entries.ToDictionary(e => e.Name, e => e.Tensor, StringComparer.Ordinal);

        // The loader disposes what it reads: an alias shares the stored tensor's memory, which stays this object's.
        ModuleStateLoader.Load(module, entries.ConvertAll(e => e.Name), name => byName[name].alias(), new WeightsFileErrors(Path, module.GetType().Name));
    }

    /// <summary>Disposes the tensors.</summary>
    public void Dispose()
    {
        foreach (var (_, tensor) in entries)
        {
            tensor.Dispose();
        }

        entries.Clear();
    }

    /// <summary>An <see cref="InvalidDataException"/> that names the weights file.</summary>
    internal static InvalidDataException Invalid(string path, string why, Exception? inner = null)
        => new($"The weights file '{path}' cannot be used: {why}.", inner);

    private static string More(IReadOnlyList<string> names) => names.Count > 1 ? $" (and {names.Count - 1} more: {string.Join(", ", names.Skip(1).Take(5))}{(names.Count > 6 ? ", ..." : string.Empty)})" : string.Empty;

    /// <summary>The messages of <see cref="LoadInto"/>, naming the weights file.</summary>
    private sealed class WeightsFileErrors(string path, string moduleName) : IModuleStateErrors
    {
        public Exception Missing(IReadOnlyList<string> names)
            => Invalid(path, $"it has no tensor for the parameter '{names[0]}' of {moduleName}" + More(names));

        public Exception Unexpected(IReadOnlyList<string> names, IReadOnlyList<string> parameters)
            => Invalid(path, $"it holds the tensor '{names[0]}', which {moduleName} does not have" + More(names)
                + $"; the module's parameters are: {string.Join(", ", parameters)}");

        public Exception Mismatch(string name, Tensor stored, Tensor parameter)
            => !stored.shape.SequenceEqual(parameter.shape)
                ? Invalid(path, $"the parameter '{name}' has shape [{string.Join(", ", stored.shape)}] in the file but [{string.Join(", ", parameter.shape)}] in {moduleName}")
                : Invalid(path, $"the parameter '{name}' has dtype {stored.dtype} in the file but {parameter.dtype} in {moduleName}");

        public Exception? Reject(string name, Tensor stored) => null;
    }
}
