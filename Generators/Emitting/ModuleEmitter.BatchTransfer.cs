using System.Linq;
using Volt.Generators.Model;

namespace Volt.Generators.Emitting;

/// <summary>The batch transfer section: one MoveBatchToDevice overload per batch type, and the per-batch fetch the loops share.</summary>
internal sealed partial class ModuleEmitter
{
    private void WriteBatchTransfers()
    {
        foreach (var batch in model.BatchTypes)
        {
            writer.WriteLine("/// <summary>Returns the batch with its tensors on <paramref name=\"device\"/> (floating-point ones cast to <paramref name=\"floatType\"/> when given); a batch already there is returned as it is.</summary>");
            writer.WriteLine(generatedCode);
            var signature = $"private static {batch.FullyQualifiedName} MoveBatchToDevice({batch.FullyQualifiedName} batch, {Device} device, {Torch}.ScalarType? floatType)";
            var tensors = batch.Members.Where(m => m.IsTensor).ToList();
            if (batch.Kind == BatchKind.Tensor)
            {
                writer.WriteLine(signature);
                writer.WriteLine("    => global::Volt.BatchTransfer.ToDevice(batch, device, floatType);");
                writer.WriteLine();
                continue;
            }

            if (tensors.Count == 0)
            {
                writer.WriteLine(signature + " => batch;");
                writer.WriteLine();
                continue;
            }

            using (writer.Block(signature))
            {
                var onDevice = string.Join(" && ", tensors.Select(t => $"global::Volt.BatchTransfer.{(t.Collection == TensorCollection.None ? "IsOnDevice" : "AreOnDevice")}(batch.{t.Name}, device, floatType)"));
                using (writer.Block($"if ({onDevice})"))
                {
                    writer.WriteLine("return batch;");
                }

                writer.WriteLine();
                using (writer.Block(batch.Kind == BatchKind.WithExpression ? "return batch with" : $"return new {batch.FullyQualifiedName}", suffix: ";"))
                {
                    foreach (var member in batch.Members)
                    {
                        var value = member.IsTensor ? $"global::Volt.BatchTransfer.ToDevice(batch.{member.Name}, device, floatType)" : $"batch.{member.Name}";
                        writer.WriteLine($"{member.Name} = {value},");
                    }
                }
            }

            writer.WriteLine();
        }
    }

    /// <summary>The start of a loop's batch: the batch moved to the device, and its size for the metrics when the batch type shows it.</summary>
    private void WriteGetBatch(string loopName, string batchType)
    {
        WriteFetchAndTransfer(loopName);
        var batch = model.BatchTypes.First(b => b.FullyQualifiedName == batchType);
        var sizeMember = batch.BatchSizeMember;
        if (sizeMember is not null)
        {
            var tensor = sizeMember.Length == 0 ? "batch" : "batch." + sizeMember;
            writer.WriteLine($"{loopName}.Metrics.SetBatchSize({tensor}.size(0));");
        }
        else if (batch.BatchSizeCollection is { } collection)
        {
            var member = batch.Members.First(m => m.Name == collection);
            var tensors = member.Collection == TensorCollection.Dictionary ? $"batch.{collection}?.Values" : $"batch.{collection}";
            using (writer.Block($"if (global::Volt.BatchTransfer.FirstDimension({tensors}) is {{ }} batchSize)"))
            {
                writer.WriteLine($"{loopName}.Metrics.SetBatchSize(batchSize);");
            }
        }
    }

    /// <summary>The batch from the loop's data (timed by the loop), then moved to the device in a profiled block.</summary>
    private void WriteFetchAndTransfer(string loopName)
    {
        writer.WriteLine($"var batch = {loopName}.GetBatch(batchIndex);");
        using (writer.Block($"using ({loopName}.Profile({ProfiledAction}.TransferToDevice))"))
        {
            writer.WriteLine($"batch = MoveBatchToDevice(batch, {loopName}.Device, {loopName}.Precision.InputDtype);");
        }
    }
}
