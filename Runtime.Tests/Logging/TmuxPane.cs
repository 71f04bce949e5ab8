using System;
using System.ComponentModel;
using System.Diagnostics;
using System.IO;
using System.Threading;

namespace Volt.Runtime.Tests.Logging;

/// <summary>
/// A detached tmux session of a fixed size on a private server (its own socket and configuration), so a
/// test can run a program on a real terminal and read the screen back with <c>tmux capture-pane</c>.
/// The pane stays after its program exits (remain-on-exit), for the final screen and the exit status.
/// .ci/run installs tmux; without it the constructor throws.
/// </summary>
internal sealed class TmuxPane : IDisposable
{
    private const string Session = "volt";
    private readonly string directory = Path.Combine(Path.GetTempPath(), "volt-tmux-" + Guid.NewGuid().ToString("N")[..12]);

    /// <summary>Starts <paramref name="command"/> (a shell command line) in a <paramref name="width"/>×<paramref name="height"/> pane.</summary>
    public TmuxPane(int width, int height, string command)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(ConfigurationPath, "set -g remain-on-exit on\nset -g remain-on-exit-format \"\"\nset -g default-terminal \"tmux-256color\"\n");
        // tmux can mark a pane dead (its terminal closed) without ever learning the program's exit status,
        // so the shell that runs the command writes the status to a file of its own.
        Tmux("new-session", "-d", "-x", width.ToString(), "-y", height.ToString(), "-s", Session, $"{command}; echo $? > '{StatusPath}'");
    }

    /// <summary>The pane's terminal device (<c>/dev/pts/N</c>); what is written there shows in the pane.</summary>
    public string TerminalPath => Tmux("display-message", "-p", "-t", Session, "#{pane_tty}").Trim();

    /// <summary>Whether the pane's program has exited (its shell has written the exit status).</summary>
    public bool HasExited => File.Exists(StatusPath) && File.ReadAllText(StatusPath).EndsWith('\n');

    /// <summary>The exit status of the pane's program once it has exited.</summary>
    public int ExitStatus => int.Parse(File.ReadAllText(StatusPath).Trim(), System.Globalization.CultureInfo.InvariantCulture);

    private string StatusPath => Path.Combine(directory, "exit-status");

    private string ConfigurationPath => Path.Combine(directory, "tmux.conf");

    private string SocketPath => Path.Combine(directory, "tmux.sock");

    /// <summary>The screen as text without colours; with <paramref name="history"/>, the lines scrolled off it too.</summary>
    public string Capture(bool history = false)
        => history ? Tmux("capture-pane", "-p", "-S", "-", "-t", Session) : Tmux("capture-pane", "-p", "-t", Session);

    /// <summary>Captures the screen every 20 ms until <paramref name="matches"/> accepts it; fails naming <paramref name="what"/> and showing the last screen.</summary>
    public string WaitFor(Func<string, bool> matches, string what, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var screen = Capture();
            if (matches(screen))
            {
                return screen;
            }

            if (clock.Elapsed > timeout)
            {
                Assert.Fail($"the pane did not show {what} within {timeout.TotalSeconds} s; its screen:\n{screen}");
            }

            Thread.Sleep(20);
        }
    }

    public void Dispose()
    {
        try
        {
            Tmux("kill-server");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private string Tmux(params string[] arguments)
    {
        var start = new ProcessStartInfo("tmux") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])["-S", SocketPath, "-f", ConfigurationPath, .. arguments])
        {
            start.ArgumentList.Add(argument);
        }

        Process tmux;
        try
        {
            tmux = Process.Start(start)!;
        }
        catch (Win32Exception error)
        {
            throw new InvalidOperationException("tmux is not installed (.ci/run installs it with .ci/ensure-tmux): " + error.Message, error);
        }

        using (tmux)
        {
            var errors = tmux.StandardError.ReadToEndAsync();
            var output = tmux.StandardOutput.ReadToEnd();
            tmux.WaitForExit();
            if (tmux.ExitCode != 0)
            {
                throw new InvalidOperationException($"tmux {string.Join(' ', arguments)} failed ({tmux.ExitCode}): {errors.Result}");
            }

            return output;
        }
    }
}
