using System;
using Volt;
using FashionMnistSample;

switch (args.Length > 0 ? args[0] : null)
{
    case "export":
        return ExportCommand.Run(args[1..], Console.Out, Console.Error);
    case "serve":
        return ServeCommand.Run(args[1..], Console.Out, Console.Error);
    case "plot":
        return PlotCommand.Run(args[1..], Console.Out, Console.Error);
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
    if (options.FindLr)
    {
        FindLr.Run(options, Console.Out);
    }
    else if (options.Tune)
    {
        SampleTune.Run(options, Console.Out);
    }
    else
    {
        SampleRun.Run(options, Console.Out);
    }

    return 0;
}
catch (TrainingInterruptedException interrupted)
{
    // The trainer has printed where it stopped; say how to continue from here.
    if (interrupted.CheckpointPath is { } checkpoint)
    {
        Console.Error.WriteLine("Resume with: dotnet run --project Samples/FashionMnist -- " + SampleOptions.ResumeArguments(args, checkpoint));
    }

    return interrupted.ExitCode;
}
catch (ArgumentException error)
{
    // Invalid trainer options (for example --precision 16-mixed on a CPU) fail before training.
    Report(error, options.Verbose);
    return 2;
}
catch (Exception error)
{
    // Resume, I/O and data errors carry messages that name the culprit; the stack trace is for --verbose.
    Report(error, options.Verbose);
    return 1;
}

static void Report(Exception error, bool verbose)
    => Console.Error.WriteLine(verbose ? error.ToString() : error.Message);
