using System;
using Volt.Data;
using FashionMnistSample;

switch (args.Length > 0 ? args[0] : null)
{
    case "export":
        return ExportCommand.Run(args[1..], Console.Out, Console.Error);
    case "serve":
        return ServeCommand.Run(args[1..], Console.Out, Console.Error);
}

SampleOptions options;
try
{
    options = SampleOptions.Parse(args);
}
catch (ArgumentException error)
{
    Console.Error.WriteLine(error.Message);
    Console.Error.WriteLine(SampleOptions.Usage);
    return 2;
}

if (options.Help)
{
    Console.WriteLine(SampleOptions.Usage);
    return 0;
}

try
{
    SampleRun.Run(options, Console.Out);
    return 0;
}
catch (FashionMnistNotFoundException error)
{
    Console.Error.WriteLine(error.Message);
    return 1;
}
catch (ArgumentException error)
{
    // Invalid trainer options (for example --precision 16-mixed on a CPU) fail before training.
    Console.Error.WriteLine(error.Message);
    return 2;
}
