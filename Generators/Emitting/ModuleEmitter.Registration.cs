using System.Collections.Generic;

namespace Volt.Generators.Emitting;

/// <summary>
/// The registration section: overrides of TorchSharp's entry points that register the module's
/// fields first. Marked [DebuggerNonUserCode] so the debugger steps over them into TorchSharp.
/// </summary>
internal sealed partial class ModuleEmitter
{
    private const string DebuggerNonUserCode = "[global::System.Diagnostics.DebuggerNonUserCode]";

    private void WriteRegistration()
    {
        var overrides = new HashSet<string>(model.RegistrationOverrides);
        if (overrides.Count == 0)
        {
            return;
        }

        writer.WriteLine("// TorchSharp finds submodules, parameters and buffers by reflecting over fields in RegisterComponents().");
        writer.WriteLine("// Modules with primary constructors never call it, so every entry point that reads them registers first.");
        writer.WriteLine("// RegisterComponents() runs once; later calls return at once.");
        var members = new (string Name, string Signature, string Call)[]
        {
            ("named_parameters", "public override global::System.Collections.Generic.IEnumerable<(string name, global::TorchSharp.Modules.Parameter parameter)> named_parameters(bool recurse = true)", "base.named_parameters(recurse)"),
            ("named_buffers", $"public override global::System.Collections.Generic.IEnumerable<(string name, {Tensor} buffer)> named_buffers(bool recurse = true, bool include_nonpersistent = true)", "base.named_buffers(recurse, include_nonpersistent)"),
            ("named_children", $"public override global::System.Collections.Generic.IEnumerable<(string name, {NnModule} module)> named_children()", "base.named_children()"),
            ("named_modules", $"public override global::System.Collections.Generic.IEnumerable<(string name, {NnModule} module)> named_modules()", "base.named_modules()"),
            ("state_dict", $"public override global::System.Collections.Generic.Dictionary<string, {Tensor}> state_dict(global::System.Collections.Generic.Dictionary<string, {Tensor}>? destination = null, string? prefix = null)", "base.state_dict(destination, prefix)"),
            ("apply", $"public override {NnModule} apply(global::System.Action<{NnModule}> fn)", "base.apply(fn)"),
            ("_to", $"protected override {NnModule} _to({Device} device, {Torch}.ScalarType dtype, bool non_blocking)", "base._to(device, dtype, non_blocking)"),
            ("_to", $"protected override {NnModule} _to(global::TorchSharp.DeviceType deviceType, int deviceIndex, bool non_blocking)", "base._to(deviceType, deviceIndex, non_blocking)"),
            ("_to", $"protected override {NnModule} _to({Torch}.ScalarType dtype, bool non_blocking)", "base._to(dtype, non_blocking)"),
        };

        foreach (var (name, signature, call) in members)
        {
            if (!overrides.Contains(name))
            {
                continue;
            }

            writer.WriteLine(generatedCode);
            writer.WriteLine(DebuggerNonUserCode);
            using (writer.Block(signature))
            {
                writer.WriteLine("RegisterComponents();");
                writer.WriteLine($"return {call};");
            }

            writer.WriteLine();
        }
    }
}
