using Consumer;
using Volt;
using Volt.Data;
using static TorchSharp.torch;

var root = args.Length > 0 ? args[0] : "runs";
using var x = linspace(-1, 1, 64).unsqueeze(1);
using var y = (2 * x.squeeze(1)) + 1;
using var loader = TensorDataLoader.Create(x, y, 16, (a, b) => new PointBatch(a, b), shuffle: true);
Seeding.SeedEverything(0);
using var model = new LineFit();
var trainer = new Trainer(new TrainerOptions { MaxEpochs = 2, LimitTrainBatches = BatchLimit.Batches(3), DefaultRootDir = root, EnableProgressBar = false });
trainer.Fit(model, loader);
var checkpoint = System.IO.Path.Combine(trainer.LogDir!, "checkpoints", "last.ckpt");
using var restored = LineFit.LoadFromCheckpoint(checkpoint);
Console.WriteLine($"global_step: {trainer.GlobalStep}");
Console.WriteLine($"restored: {checkpoint}");
