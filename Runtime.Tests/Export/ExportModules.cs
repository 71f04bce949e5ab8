using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Volt.Runtime.Tests.Export;

/// <summary>
/// An image network that uses most supported layers and tensor operations, so the ONNX export of each is
/// compared with TorchSharp: a Sequential read from its initializer, batch norm, pools, GELU, layer norm,
/// broadcasting arithmetic, matmul, softmax, cat, mean and sum.
/// </summary>
[OnnxExport]
public sealed partial class ImageZoo : nn.Module<Tensor, Tensor>
{
    private const double Offset = 1.5;

    private readonly Sequential features = nn.Sequential(nn.Conv2d(3, 4, 3, padding: 1), nn.BatchNorm2d(4), nn.ReLU(), nn.Dropout(0.3));
    private readonly Sequential stem = nn.Sequential(("pool", nn.AvgPool2d(2)), ("act", nn.Sigmoid()));
    private readonly MaxPool2d maxPool = nn.MaxPool2d(2);
    private readonly AdaptiveAvgPool2d globalPool = nn.AdaptiveAvgPool2d(1);
    private readonly GELU gelu = nn.GELU();
    private readonly LayerNorm norm = nn.LayerNorm(4);
    private readonly Flatten flatten = nn.Flatten();
    private readonly Linear head = nn.Linear(16 + 4 + 16, 5);
    private readonly Softmax softmax = nn.Softmax(-1);

    public ImageZoo() : base("image_zoo")
    {
        RegisterComponents();
    }

    public override Tensor forward(Tensor images)
    {
        using var scope = NewDisposeScope();
        var y = stem.forward(features.forward(images));
        var pooled = maxPool.forward(gelu.forward(y)).mean(new long[] { 2, 3 }, keepdim: true);
        var z = (y * pooled + Offset) / 2 - y.tanh();
        var tokens = norm.forward(z.flatten(2).transpose(1, 2));
        var attention = softmax.forward(torch.matmul(tokens, tokens.transpose(-1, -2)) * 0.5);
        var mixed = attention.matmul(tokens).sum(2);
        var joined = torch.cat(new[] { mixed, flatten.forward(globalPool.forward(y)), nn.functional.gelu(z.flatten(1).reshape(-1, 4, 16).permute(0, 2, 1)).sum(new long[] { 2 }) }, 1);
        return head.forward(joined).log_softmax(1).MoveToOuterDisposeScope();
    }
}

/// <summary>A token network: embedding, Conv1d and BatchNorm1d over permuted dimensions, view with the batch size kept.</summary>
[OnnxExport]
public sealed partial class TokenZoo : nn.Module<Tensor, Tensor>
{
    private readonly Embedding embed = nn.Embedding(20, 8);
    private readonly Conv1d conv = nn.Conv1d(8, 6, 3, padding: 1);
    private readonly BatchNorm1d batchNorm = nn.BatchNorm1d(6);
    private readonly Linear output = nn.Linear(6 * 5, 3);
    private readonly ReLU relu = nn.ReLU();

    public TokenZoo() : base("token_zoo")
    {
        RegisterComponents();
    }

    public override Tensor forward(Tensor tokens)
    {
        var embedded = embed.forward(tokens);
        var x = batchNorm.forward(conv.forward(embedded.permute(0, 2, 1)));
        x = relu.forward(x).view(x.size(0), -1);
        return nn.functional.softmax(output.forward(x), 1) + torch.nn.functional.relu(x.mean(new long[] { 1 }, keepdim: true));
    }
}
