using System;
using System.Globalization;
using System.IO;
using Google.Protobuf;
using Volt.Logging.TensorBoard.Protos;

namespace Volt.Logging.TensorBoard;

/// <summary>
/// One TensorBoard event file: <c>events.out.tfevents.&lt;seconds&gt;.&lt;host&gt;.&lt;pid&gt;.&lt;n&gt;</c> in a
/// directory, starting with the <c>brain.Event:2</c> file-version record (flushed at once), then one
/// serialized <see cref="Event"/> per record (tensorboard/summary/writer/event_file_writer.py).
/// </summary>
internal sealed class EventFileWriter : IDisposable
{
    /// <summary>The version string TensorBoard expects in the first record.</summary>
    public const string FileVersion = "brain.Event:2";

    /// <summary>The writer name recorded in the first record's source metadata.</summary>
    public const string WriterName = "volt.logging.tensorboard";

    private readonly TfRecordWriter records;

    private EventFileWriter(string path, FileStream stream, double wallTime)
    {
        FilePath = path;
        records = new TfRecordWriter(stream);
        Write(new Event { WallTime = wallTime, FileVersion = FileVersion, SourceMetadata = new SourceMetadata { Writer = WriterName } });
        Flush();
    }

    /// <summary>The event file's full path.</summary>
    public string FilePath { get; }

    /// <summary>
    /// Creates a new event file in <paramref name="directory"/>; the trailing counter <c>n</c> starts at 0
    /// and grows until the name is free, so two writers in one second never share a file.
    /// </summary>
    public static EventFileWriter Create(string directory, DateTimeOffset now)
    {
        var seconds = now.ToUnixTimeSeconds().ToString("D10", CultureInfo.InvariantCulture);
        var prefix = $"events.out.tfevents.{seconds}.{Environment.MachineName}.{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}.";
        for (var n = 0; ; n++)
        {
            var path = Path.Combine(directory, prefix + n.ToString(CultureInfo.InvariantCulture));
            try
            {
                var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
                return new EventFileWriter(path, stream, WallTime(now));
            }
            catch (IOException) when (File.Exists(path))
            {
            }
        }
    }

    /// <summary>Seconds since the Unix epoch with the fraction, as TensorBoard's <c>wall_time</c> holds them.</summary>
    public static double WallTime(DateTimeOffset time) => (time - DateTimeOffset.UnixEpoch).TotalSeconds;

    /// <summary>Appends one event (buffered until <see cref="Flush"/>).</summary>
    public void Write(Event value) => records.Write(value.ToByteArray());

    /// <summary>Hands the buffered events to the operating system.</summary>
    public void Flush() => records.Flush();

    /// <summary>Flushes and closes the file.</summary>
    public void Dispose() => records.Dispose();
}
