using System;
using System.Collections.Generic;
using static TorchSharp.torch;

namespace Volt;

/// <summary>The errors of one caller of <see cref="ModuleStateLoader"/>, each naming the file it reads.</summary>
internal interface IModuleStateErrors
{
    /// <summary>Some parameters of the module have no stored tensor (in the module's order).</summary>
    Exception Missing(IReadOnlyList<string> names);

    /// <summary>Some stored tensors are not parameters of the module (in storage order); <paramref name="parameters"/> are the module's.</summary>
    Exception Unexpected(IReadOnlyList<string> names, IReadOnlyList<string> parameters);

    /// <summary>A stored tensor's shape or dtype differs from the parameter's.</summary>
    Exception Mismatch(string name, Tensor stored, Tensor parameter);

    /// <summary>A further check of a stored value that fits its parameter; null accepts it.</summary>
    Exception? Reject(string name, Tensor stored);
}
