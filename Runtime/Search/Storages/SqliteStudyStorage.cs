using System;
using System.Data.Common;
using System.Globalization;
using System.IO;
using Microsoft.Data.Sqlite;

namespace Volt.Search.Storages;

/// <summary>
/// The embedded default: one SQLite file with Optuna's schema, so
/// <c>optuna.load_study(study_name=..., storage="sqlite:///path")</c> reads a study Volt wrote.
/// Several processes on one machine may share the file: every write runs in a
/// <c>BEGIN IMMEDIATE</c> transaction, which takes SQLite's write lock up front.
/// </summary>
public sealed class SqliteStudyStorage : RdbStudyStorage
{
    private const string TimestampFormat = "yyyy-MM-dd HH:mm:ss.ffffff";
    private readonly string connectionString;

    /// <summary>Opens (creating when missing) the database file at <paramref name="path"/>.</summary>
    /// <param name="path">The file, for example <c>&lt;root&gt;/study.db</c>; its directory is created.</param>
    /// <exception cref="InvalidOperationException">The file holds Optuna tables of another schema version.</exception>
    public SqliteStudyStorage(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
        if (System.IO.Path.GetDirectoryName(Path) is { Length: > 0 } directory)
        {
            Directory.CreateDirectory(directory);
        }

        connectionString = new SqliteConnectionStringBuilder { DataSource = Path, Pooling = true, DefaultTimeout = 60 }.ToString();
        EnsureSchema();
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>The SQLAlchemy URL of the file, as Python's optuna takes it.</summary>
    public string Url => "sqlite:///" + Path;

    private protected override string IdType => "INTEGER";

    private protected override string DateTimeType => "DATETIME";

    private protected override string ForUpdate => string.Empty;

    private protected override string ForUpdateSkipLocked => string.Empty;

    private protected override DbConnection Open()
    {
        var connection = new SqliteConnection(connectionString);
        connection.Open();
        return connection;
    }

    private protected override DbTransaction BeginWrite(DbConnection connection) => ((SqliteConnection)connection).BeginTransaction(deferred: false);

    private protected override void LockSchema(DbConnection connection, DbTransaction transaction)
    {
        // BEGIN IMMEDIATE already holds the database's write lock.
    }

    private protected override bool TableExists(DbConnection connection, DbTransaction transaction, string table)
        => Scalar(connection, transaction, "SELECT name FROM sqlite_master WHERE type = 'table' AND name = @table", ("table", table)) is not null;

    private protected override string HeartbeatNow(DbCommand command) => AddParameter(command, "now", Timestamp(DateTime.Now));

    private protected override string HeartbeatCutoff(DbCommand command, TimeSpan gracePeriod) => AddParameter(command, "cutoff", Timestamp(DateTime.Now - gracePeriod));

    // SQLAlchemy's SQLite DATETIME is text with exactly six fraction digits.
    private protected override object Timestamp(DateTime localTime) => localTime.ToString(TimestampFormat, CultureInfo.InvariantCulture);

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        // Close the pooled connections so the file is released.
        using var connection = new SqliteConnection(connectionString);
        SqliteConnection.ClearPool(connection);
    }
}
