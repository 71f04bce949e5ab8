using System;
using System.Data.Common;
using Npgsql;

namespace Volt.Search.Storages;

/// <summary>
/// A study shared by worker processes on many machines: PostgreSQL with Optuna's schema (Npgsql).
/// A worker takes a trial under <c>SELECT … FOR UPDATE</c> of the study row (count and insert are
/// atomic, so a study-wide budget is never exceeded and numbers never repeat), finishes it under a
/// lock of the trial row (a trial finished or failed by someone else is never overwritten), and the
/// stale-trial sweep claims dead workers' trials with <c>FOR UPDATE SKIP LOCKED</c> so concurrent
/// sweeps never fail one trial twice. Heartbeats use the database's clock, so worker clocks do not matter.
/// </summary>
public sealed class PostgresStudyStorage : RdbStudyStorage
{
    // An arbitrary application-wide key for pg_advisory_xact_lock: schema and study creation run one at a time.
    private const long SchemaLockKey = 0x566f6c74_53747564;
    private readonly NpgsqlDataSource dataSource;

    /// <summary>Connects with an Npgsql connection string (<c>Host=…;Port=…;Username=…;Database=…</c>) and creates Optuna's tables when missing.</summary>
    /// <exception cref="InvalidOperationException">The database holds Optuna tables of another schema version.</exception>
    public PostgresStudyStorage(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        dataSource = NpgsqlDataSource.Create(connectionString);
        EnsureSchema();
    }

    private protected override string IdType => "SERIAL";

    private protected override string DateTimeType => "TIMESTAMP WITHOUT TIME ZONE";

    private protected override string ForUpdate => " FOR UPDATE";

    private protected override string ForUpdateSkipLocked => " FOR UPDATE OF t SKIP LOCKED";

    private protected override DbConnection Open() => dataSource.OpenConnection();

    private protected override DbTransaction BeginWrite(DbConnection connection) => connection.BeginTransaction();

    private protected override void LockSchema(DbConnection connection, DbTransaction transaction)
        => Execute(connection, transaction, "SELECT pg_advisory_xact_lock(@key)", ("key", SchemaLockKey));

    private protected override bool TableExists(DbConnection connection, DbTransaction transaction, string table)
        => Scalar(connection, transaction, "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = @table", ("table", table)) is not null;

    private protected override string HeartbeatNow(DbCommand command) => "LOCALTIMESTAMP";

    private protected override string HeartbeatCutoff(DbCommand command, TimeSpan gracePeriod)
        => $"LOCALTIMESTAMP - make_interval(secs => {AddParameter(command, "grace", gracePeriod.TotalSeconds)})";

    private protected override object Timestamp(DateTime localTime) => DateTime.SpecifyKind(localTime, DateTimeKind.Unspecified);

    /// <inheritdoc/>
    protected override void Dispose(bool disposing) => dataSource.Dispose();
}
