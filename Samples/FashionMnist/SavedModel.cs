using System;
using System.IO;
using Volt.Export;

namespace FashionMnistSample;

/// <summary>Loads the classifier the export and serve commands work on.</summary>
public static class SavedModel
{
    /// <summary>
    /// A Volt checkpoint (<c>.ckpt</c>) rebuilds the classifier from its saved hyperparameters; a
    /// PyTorch <c>.pt</c> state_dict or a <c>.safetensors</c> file (for example trained in Python) is
    /// loaded into the default classifier (MLP, 128 hidden units), with names and shapes checked.
    /// </summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">The file is unreadable or does not fit the classifier; the message names it.</exception>
    public static FashionClassifier Load(string path)
    {
        var extension = Path.GetExtension(path);
        if (!extension.Equals(TorchWeights.Extension, StringComparison.OrdinalIgnoreCase) && !extension.Equals(Safetensors.Extension, StringComparison.OrdinalIgnoreCase))
        {
            return FashionClassifier.LoadFromCheckpoint(path);
        }

        var model = new FashionClassifier();
        try
        {
            if (extension.Equals(TorchWeights.Extension, StringComparison.OrdinalIgnoreCase))
            {
                TorchWeights.Load(model, path);
            }
            else
            {
                Safetensors.Load(model, path);
            }

            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}
