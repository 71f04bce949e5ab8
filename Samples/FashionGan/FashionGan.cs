using TorchSharp;
using TorchSharp.Modules;
using Volt;
using Volt.Data;
using static TorchSharp.torch;

namespace FashionGanSample;

/// <summary>
/// A small GAN on Fashion-MNIST with manual optimization: the training step trains the discriminator
/// on real and generated images, then the generator to fool it, each with its own Adam optimizer.
/// </summary>
/// <param name="noiseSize">Length of the generator's input noise vector.</param>
/// <param name="hiddenSize">Width of both networks' hidden layer.</param>
/// <param name="learningRate">Adam's learning rate for both networks.</param>
public sealed partial class FashionGan(int noiseSize = 64, int hiddenSize = 256, double learningRate = 2e-4)
    : nn.Module<Tensor, Tensor>("fashion_gan")
{
    private readonly Sequential generator = nn.Sequential(
        nn.Linear(noiseSize, hiddenSize), nn.LeakyReLU(0.2), nn.Linear(hiddenSize, 28 * 28), nn.Tanh());

    private readonly Sequential discriminator = nn.Sequential(
        nn.Linear(28 * 28, hiddenSize), nn.LeakyReLU(0.2), nn.Linear(hiddenSize, 1));

    /// <summary>Generates images (N×1×28×28, pixels in [-1, 1]) from noise (N×noiseSize).</summary>
    public override Tensor forward(Tensor noise) => generator.forward(noise).view(-1, 1, 28, 28);

    /// <summary>Draws <paramref name="count"/> images from the generator, on the module's device.</summary>
    public Tensor Sample(int count, Generator? random = null)
    {
        using var noGrad = no_grad();
        return forward(randn([count, noiseSize], generator: random, device: Device));
    }

    [TrainingStep(AutomaticOptimization = false)]
    private void TrainingStep(ImageBatch batch, (optim.Optimizer Generator, optim.Optimizer Discriminator) optimizers)
    {
        var count = batch.Images.size(0);
        var real = batch.Images.flatten(1).mul(2).sub(1);
        var fake = generator.forward(randn([count, noiseSize], device: Device));
        var ones = torch.ones([count, 1], device: Device);
        var zeros = torch.zeros([count, 1], device: Device);

        optimizers.Discriminator.zero_grad();
        var discriminatorLoss = nn.functional.binary_cross_entropy_with_logits(discriminator.forward(real), ones)
            + nn.functional.binary_cross_entropy_with_logits(discriminator.forward(fake.detach()), zeros);
        ManualBackward(discriminatorLoss);
        ManualStep(optimizers.Discriminator);

        optimizers.Generator.zero_grad();
        var generatorLoss = nn.functional.binary_cross_entropy_with_logits(discriminator.forward(fake), ones);
        ManualBackward(generatorLoss);
        ManualStep(optimizers.Generator);

        Log("d_loss", discriminatorLoss, progressBar: true, onEpoch: true);
        Log("g_loss", generatorLoss, progressBar: true, onEpoch: true);
    }

    [ConfigureOptimizers]
    private (optim.Optimizer Generator, optim.Optimizer Discriminator) ConfigureOptimizers()
        => (optim.Adam(generator.parameters(), learningRate, beta1: 0.5), optim.Adam(discriminator.parameters(), learningRate, beta1: 0.5));
}
