using TorchSharp;

namespace Volt;

/// <summary>Seeding helpers (Lightning's <c>seed_everything</c>).</summary>
public static class Seeding
{
    /// <summary>
    /// Seeds torch's CPU generator and, when CUDA is available, every CUDA generator. Call it before
    /// creating the module so weight initialisation is reproducible. A trainer built afterwards without
    /// <see cref="TrainerOptions.Seed"/> draws its shuffling seed from the seeded generator, so the data
    /// order repeats too.
    /// </summary>
    /// <param name="seed">The seed.</param>
    public static void SeedEverything(long seed)
    {
        torch.manual_seed(seed);
        if (torch.cuda.is_available())
        {
            torch.cuda.manual_seed_all(seed);
        }
    }
}
