// The command line is generated from Classifier's [GenerateCli] attribute: fit | validate | test | predict,
// with --model.*, --data.* and --trainer.* options. Try: dotnet run -- fit --help
return VoltClassifier.ClassifierCli.Run(args);
