using System;
using FashionMnistSample;

// export, serve and plot have their own small parsers; everything else is the generated command line.
return (args.Length > 0 ? args[0] : null) switch
{
    "export" => ExportCommand.Run(args[1..], Console.Out, Console.Error),
    "serve" => ServeCommand.Run(args[1..], Console.Out, Console.Error),
    "plot" => PlotCommand.Run(args[1..], Console.Out, Console.Error),
    _ => SampleCommandLine.Run(args, Console.Out, Console.Error),
};
