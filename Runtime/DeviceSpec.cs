using System;
using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace Volt;

/// <summary>Parses and resolves the <see cref="TrainerOptions.Device"/> setting.</summary>
internal static class DeviceSpec
{
    public const string AllowedValues = "\"auto\", \"cpu\", \"cuda\" or \"cuda:N\" (N >= 0)";

    /// <summary>Returns the reason <paramref name="spec"/> is not a device setting, or null when it is.</summary>
    public static string? Problem(string? spec)
    {
        if (spec is null)
        {
            return "it is null";
        }

        var normalized = spec.Trim().ToLowerInvariant();
        if (normalized is "auto" or "cpu" or "cuda")
        {
            return null;
        }

        if (normalized.StartsWith("cuda:", StringComparison.Ordinal)
            && int.TryParse(normalized.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            return null;
        }

        return $"\"{spec}\" is not a device";
    }

    /// <summary>Resolves a valid setting to a device, checking that CUDA is there when it is asked for.</summary>
    public static Device Resolve(string spec)
    {
        var normalized = spec.Trim().ToLowerInvariant();
        if (normalized == "cpu")
        {
            return torch.CPU;
        }

        var cudaAvailable = torch.cuda.is_available();
        if (normalized == "auto")
        {
            return cudaAvailable ? torch.CUDA : torch.CPU;
        }

        if (!cudaAvailable)
        {
            throw new InvalidOperationException(
                $"TrainerOptions.Device is \"{spec}\", but CUDA is not available in this process (no GPU, or the CPU build of libtorch is in use; build with -p:VoltTorchBackend=cuda). Use \"auto\" or \"cpu\".");
        }

        var index = normalized == "cuda" ? 0 : int.Parse(normalized.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture);
        var count = torch.cuda.device_count();
        if (index >= count)
        {
            throw new InvalidOperationException($"TrainerOptions.Device is \"{spec}\", but this machine has {count} CUDA device(s) (cuda:0 to cuda:{count - 1}).");
        }

        return torch.device(DeviceType.CUDA, index);
    }
}
