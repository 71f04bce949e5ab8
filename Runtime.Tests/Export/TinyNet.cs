using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Volt.Runtime.Tests.Export;

/// <summary>
/// Linear → BatchNorm1d → ReLU → Linear, named like the PyTorch class the tests write in Python
/// (<c>hidden</c>, <c>norm</c>, <c>output</c>), so both have the same state_dict keys. BatchNorm adds
/// buffers, one of them int64.
/// </summary>
internal sealed class TinyNet : nn.Module<Tensor, Tensor>
{
    public const string PythonClass = """
        import torch
        class TinyNet(torch.nn.Module):
            def __init__(self, hidden=8):
                super().__init__()
                self.hidden = torch.nn.Linear(4, hidden)
                self.norm = torch.nn.BatchNorm1d(hidden)
                self.output = torch.nn.Linear(hidden, 3)
            def forward(self, x):
                return self.output(torch.relu(self.norm(self.hidden(x))))

        """;

    private readonly Linear hidden;
    private readonly BatchNorm1d norm;
    private readonly Linear output;

    public TinyNet(int hiddenSize = 8) : base("tiny_net")
    {
        hidden = nn.Linear(4, hiddenSize);
        norm = nn.BatchNorm1d(hiddenSize);
        output = nn.Linear(hiddenSize, 3);
        RegisterComponents();
    }

    /// <summary>A fixed input both sides compute: 5 rows of 4, (i * 4 + j) / 10 - 1.</summary>
    public static Tensor Input() => arange(20, ScalarType.Float32).reshape(5, 4).div(10).sub(1);

    public const string PythonInput = "torch.arange(20, dtype=torch.float32).reshape(5, 4) / 10 - 1";

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return output.forward(nn.functional.relu(norm.forward(hidden.forward(x)))).MoveToOuterDisposeScope();
    }
}
