using System.ComponentModel;

namespace Volt.Export;

/// <summary>
/// Implemented by the generated half of every <see cref="OnnxExportAttribute"/> class whose forward method
/// can be exported, so a parent module's export can append its submodule's graph.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface IOnnxExportable
{
    /// <summary>Appends this module's forward computation to <paramref name="graph"/>.</summary>
    /// <param name="graph">The graph being built.</param>
    /// <param name="scope">The prefix of this module's parameter names, e.g. "network." ("" for the exported module).</param>
    /// <param name="input">The forward method's input.</param>
    /// <returns>The forward method's result.</returns>
    OnnxValue AppendOnnx(OnnxGraphBuilder graph, string scope, OnnxValue input);
}
