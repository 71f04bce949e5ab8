using Volt;

namespace VoltDocExamples;

/// <summary>The runnable example of docs/callbacks.md and docs/data-loaders.md.</summary>
public static class LineFitTraining
{
    public static (Trainer Trainer, LossTarget Target) Run(TrainerOptions options)
    {
        // 64 points on y = 2x + 1 for x in [-1, 1).
        var xs = new float[64];
        var ys = new float[64];
        for (var i = 0; i < xs.Length; i++)
        {
            xs[i] = (i / 32f) - 1f;
            ys[i] = (2 * xs[i]) + 1;
        }

        Seeding.SeedEverything(0);
        using var model = new LineFit();
        var target = new LossTarget(0.001);
        var trainer = new Trainer(options with { EnableCheckpointing = false }, callbacks: [target]);
        trainer.Fit(model, new PointLoader(xs, ys, batchSize: 16, shuffle: true, seed: 1));
        return (trainer, target);
    }
}
