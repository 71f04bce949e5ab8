using System;
using System.Collections.Generic;
using System.Data.Common;
using System.Globalization;
using System.Linq;

namespace Volt.Search.Storages;

/// <summary>
/// The SQL storage shared by <see cref="SqliteStudyStorage"/> and <see cref="PostgresStudyStorage"/>:
/// Optuna's tables (<see cref="OptunaSchema"/>), one pooled connection per operation (so heartbeats
/// can run on a timer thread), and row locks where trials are taken and finished. The subclasses
/// supply the connection and the few statements that differ between the two databases.
/// </summary>
public abstract class RdbStudyStorage : IStudyStorage
{
    /// <summary>Opens a connection (from the provider's pool).</summary>
    private protected abstract DbConnection Open();

    /// <summary>Starts a transaction that may write (SQLite: BEGIN IMMEDIATE, so writers queue instead of deadlocking).</summary>
    private protected abstract DbTransaction BeginWrite(DbConnection connection);

    /// <summary>The auto-numbered primary key type.</summary>
    private protected abstract string IdType { get; }

    /// <summary>The timestamp column type.</summary>
    private protected abstract string DateTimeType { get; }

    /// <summary>The suffix that locks the selected rows until the transaction ends (empty where the transaction locks the database).</summary>
    private protected abstract string ForUpdate { get; }

    /// <summary>Like <see cref="ForUpdate"/>, but rows another transaction holds are skipped instead of waited for.</summary>
    private protected abstract string ForUpdateSkipLocked { get; }

    /// <summary>Serializes schema creation and study creation across processes, inside <paramref name="transaction"/>.</summary>
    private protected abstract void LockSchema(DbConnection connection, DbTransaction transaction);

    /// <summary>True when the table exists.</summary>
    private protected abstract bool TableExists(DbConnection connection, DbTransaction transaction, string table);

    /// <summary>The SQL expression of the current time for heartbeats; may add parameters to <paramref name="command"/>.</summary>
    private protected abstract string HeartbeatNow(DbCommand command);

    /// <summary>The SQL expression of "now minus <paramref name="gracePeriod"/>" on the heartbeat clock.</summary>
    private protected abstract string HeartbeatCutoff(DbCommand command, TimeSpan gracePeriod);

    /// <summary>A timestamp parameter value as the database stores Optuna's datetimes (local time).</summary>
    private protected abstract object Timestamp(DateTime localTime);

    /// <summary>Creates Optuna's tables when the database has none, or checks that the existing ones are Optuna's schema version.</summary>
    /// <exception cref="InvalidOperationException">The database holds another schema version.</exception>
    private protected void EnsureSchema()
    {
        using var connection = Open();
        using var transaction = BeginWrite(connection);
        LockSchema(connection, transaction);
        if (TableExists(connection, transaction, "studies"))
        {
            var revision = TableExists(connection, transaction, "alembic_version")
                ? Scalar(connection, transaction, "SELECT version_num FROM alembic_version") as string
                : null;
            if (revision != OptunaSchema.AlembicRevision)
            {
                throw new InvalidOperationException(
                    $"The database holds Optuna tables at revision '{revision ?? "none"}'; Volt reads and writes revision {OptunaSchema.AlembicRevision} (Optuna 3.0–3.1). Use a new database, or migrate it with `optuna storage upgrade`.");
            }

            transaction.Commit();
            return;
        }

        foreach (var statement in OptunaSchema.Tables)
        {
            Execute(connection, transaction, statement.Replace("{id}", IdType).Replace("{datetime}", DateTimeType));
        }

        Execute(connection, transaction, "INSERT INTO version_info (version_info_id, schema_version, library_version) VALUES (1, @version, @library)", ("version", OptunaSchema.SchemaVersion), ("library", OptunaSchema.LibraryVersion));
        Execute(connection, transaction, "INSERT INTO alembic_version (version_num) VALUES (@revision)", ("revision", OptunaSchema.AlembicRevision));
        transaction.Commit();
    }

    /// <inheritdoc/>
    public long CreateOrJoinStudy(string studyName, StudyDirection direction)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(studyName);
        var stored = direction == StudyDirection.Maximize ? "MAXIMIZE" : "MINIMIZE";
        using var connection = Open();
        using var transaction = BeginWrite(connection);
        LockSchema(connection, transaction);
        var existing = Scalar(connection, transaction, "SELECT study_id FROM studies WHERE study_name = @name", ("name", studyName));
        if (existing is not null)
        {
            var studyId = Convert.ToInt64(existing, CultureInfo.InvariantCulture);
            var directions = Rows(connection, transaction, "SELECT direction FROM study_directions WHERE study_id = @study ORDER BY objective", r => r.GetString(0), ("study", studyId));
            if (directions.Count != 1 || directions[0] != stored)
            {
                throw new InvalidOperationException($"The study '{studyName}' exists with direction(s) {string.Join(", ", directions)}; this process asked for {stored}.");
            }

            transaction.Commit();
            return studyId;
        }

        var id = Convert.ToInt64(Scalar(connection, transaction, "INSERT INTO studies (study_name) VALUES (@name) RETURNING study_id", ("name", studyName)), CultureInfo.InvariantCulture);
        Execute(connection, transaction, "INSERT INTO study_directions (direction, study_id, objective) VALUES (@direction, @study, 0)", ("direction", stored), ("study", id));
        transaction.Commit();
        return id;
    }

    /// <inheritdoc/>
    public TrialHandle? TryCreateTrial(long studyId, int? maxTrials)
    {
        using var connection = Open();
        using var transaction = BeginWrite(connection);

        // The study row lock makes "count, then insert" atomic across workers (Optuna's create_new_trial does the same).
        Scalar(connection, transaction, "SELECT study_id FROM studies WHERE study_id = @study" + ForUpdate, ("study", studyId));
        var count = Convert.ToInt32(Scalar(connection, transaction, "SELECT COUNT(*) FROM trials WHERE study_id = @study", ("study", studyId)), CultureInfo.InvariantCulture);
        if (maxTrials is { } max && count >= max)
        {
            transaction.Commit();
            return null;
        }

        var trialId = Convert.ToInt64(
            Scalar(connection, transaction, "INSERT INTO trials (number, study_id, state, datetime_start) VALUES (@number, @study, 'RUNNING', @start) RETURNING trial_id", ("number", count), ("study", studyId), ("start", Timestamp(DateTime.Now))),
            CultureInfo.InvariantCulture);
        UpsertHeartbeat(connection, transaction, trialId);
        transaction.Commit();
        return new TrialHandle(trialId, count);
    }

    /// <inheritdoc/>
    public void SetTrialParam(long trialId, string name, double internalValue, Distribution distribution)
    {
        using var connection = Open();
        using var transaction = BeginWrite(connection);
        RequireRunning(connection, transaction, trialId);
        Execute(connection, transaction, "INSERT INTO trial_params (trial_id, param_name, param_value, distribution_json) VALUES (@trial, @name, @value, @distribution)", ("trial", trialId), ("name", name), ("value", internalValue), ("distribution", distribution.ToJson()));
        transaction.Commit();
    }

    /// <inheritdoc/>
    public void SetTrialIntermediateValue(long trialId, int step, double value)
    {
        var (stored, type) = OptunaSchema.StoredValue(value);
        using var connection = Open();
        using var transaction = BeginWrite(connection);
        RequireRunning(connection, transaction, trialId);
        Execute(connection, transaction, "INSERT INTO trial_intermediate_values (trial_id, step, intermediate_value, intermediate_value_type) VALUES (@trial, @step, @value, @type) ON CONFLICT (trial_id, step) DO NOTHING", ("trial", trialId), ("step", step), ("value", stored), ("type", type));
        transaction.Commit();
    }

    /// <inheritdoc/>
    public void SetTrialSystemAttribute(long trialId, string key, string valueJson)
    {
        using var connection = Open();
        using var transaction = BeginWrite(connection);
        Execute(connection, transaction, "INSERT INTO trial_system_attributes (trial_id, \"key\", value_json) VALUES (@trial, @key, @value) ON CONFLICT (trial_id, \"key\") DO UPDATE SET value_json = excluded.value_json", ("trial", trialId), ("key", key), ("value", valueJson));
        transaction.Commit();
    }

    /// <inheritdoc/>
    public void FinishTrial(long trialId, TrialState state, double? value)
    {
        if (state is TrialState.Running or TrialState.Waiting)
        {
            throw new ArgumentException($"A trial finishes as COMPLETE, PRUNED or FAIL, not {state}.", nameof(state));
        }

        using var connection = Open();
        using var transaction = BeginWrite(connection);
        RequireRunning(connection, transaction, trialId);
        Execute(connection, transaction, "UPDATE trials SET state = @state, datetime_complete = @complete WHERE trial_id = @trial", ("state", OptunaSchema.StateName(state)), ("complete", Timestamp(DateTime.Now)), ("trial", trialId));
        if (value is { } finished)
        {
            var (stored, type) = OptunaSchema.StoredValue(finished);
            Execute(connection, transaction, "INSERT INTO trial_values (trial_id, objective, value, value_type) VALUES (@trial, 0, @value, @type)", ("trial", trialId), ("value", stored), ("type", type));
        }

        transaction.Commit();
    }

    /// <inheritdoc/>
    public IReadOnlyList<FrozenTrial> GetAllTrials(long studyId)
    {
        using var connection = Open();
        using var transaction = connection.BeginTransaction();
        var parameter = ("study", (object)studyId);
        var trials = Rows(connection, transaction, "SELECT trial_id, number, state, datetime_start, datetime_complete FROM trials WHERE study_id = @study ORDER BY number", r => (
            Id: Convert.ToInt64(r.GetValue(0), CultureInfo.InvariantCulture),
            Number: r.GetInt32(1),
            State: OptunaSchema.ParseState(r.GetString(2)),
            Start: r.IsDBNull(3) ? (DateTime?)null : Convert.ToDateTime(r.GetValue(3), CultureInfo.InvariantCulture),
            Complete: r.IsDBNull(4) ? (DateTime?)null : Convert.ToDateTime(r.GetValue(4), CultureInfo.InvariantCulture)), parameter);
        var inStudy = " JOIN trials t ON t.trial_id = x.trial_id WHERE t.study_id = @study";
        var parameters = Rows(connection, transaction, "SELECT x.trial_id, x.param_name, x.param_value, x.distribution_json FROM trial_params x" + inStudy, r => (Trial: Convert.ToInt64(r.GetValue(0), CultureInfo.InvariantCulture), Name: r.GetString(1), Value: r.GetDouble(2), Distribution: r.GetString(3)), parameter);
        var values = Rows(connection, transaction, "SELECT x.trial_id, x.value, x.value_type FROM trial_values x" + inStudy + " AND x.objective = 0", r => (Trial: Convert.ToInt64(r.GetValue(0), CultureInfo.InvariantCulture), Value: OptunaSchema.ReadValue(r.GetValue(1), r.GetString(2))), parameter);
        var intermediate = Rows(connection, transaction, "SELECT x.trial_id, x.step, x.intermediate_value, x.intermediate_value_type FROM trial_intermediate_values x" + inStudy, r => (Trial: Convert.ToInt64(r.GetValue(0), CultureInfo.InvariantCulture), Step: r.GetInt32(1), Value: OptunaSchema.ReadValue(r.GetValue(2), r.GetString(3))), parameter);
        var attributes = Rows(connection, transaction, "SELECT x.trial_id, x.\"key\", x.value_json FROM trial_system_attributes x" + inStudy, r => (Trial: Convert.ToInt64(r.GetValue(0), CultureInfo.InvariantCulture), Key: r.GetString(1), Json: r.GetString(2)), parameter);
        transaction.Commit();

        var distributionCache = new Dictionary<string, Distribution>(StringComparer.Ordinal);
        Distribution DistributionOf(string json) => distributionCache.TryGetValue(json, out var known) ? known : distributionCache[json] = Distribution.FromJson(json);
        var paramsByTrial = parameters.ToLookup(p => p.Trial);
        var valueByTrial = values.ToDictionary(v => v.Trial, v => v.Value);
        var intermediateByTrial = intermediate.ToLookup(v => v.Trial);
        var attributesByTrial = attributes.ToLookup(a => a.Trial);
        return trials.Select(t => new FrozenTrial(
            t.Id,
            t.Number,
            t.State,
            valueByTrial.TryGetValue(t.Id, out var value) ? value : null,
            paramsByTrial[t.Id].ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal),
            paramsByTrial[t.Id].ToDictionary(p => p.Name, p => DistributionOf(p.Distribution), StringComparer.Ordinal),
            new SortedDictionary<int, double>(intermediateByTrial[t.Id].ToDictionary(v => v.Step, v => v.Value)),
            attributesByTrial[t.Id].ToDictionary(a => a.Key, a => a.Json, StringComparer.Ordinal),
            t.Start,
            t.Complete)).ToList();
    }

    /// <inheritdoc/>
    public void RecordHeartbeat(long trialId)
    {
        using var connection = Open();
        using var transaction = BeginWrite(connection);
        UpsertHeartbeat(connection, transaction, trialId);
        transaction.Commit();
    }

    /// <inheritdoc/>
    public IReadOnlyList<int> FailStaleTrials(long studyId, TimeSpan gracePeriod)
    {
        using var connection = Open();
        using var transaction = BeginWrite(connection);
        using var select = Command(connection, transaction, string.Empty, ("study", studyId));
        select.CommandText = "SELECT t.trial_id, t.number FROM trials t JOIN trial_heartbeats h ON h.trial_id = t.trial_id "
            + $"WHERE t.study_id = @study AND t.state = 'RUNNING' AND h.heartbeat < {HeartbeatCutoff(select, gracePeriod)} ORDER BY t.number" + ForUpdateSkipLocked;
        var stale = new List<(long Id, int Number)>();
        using (var reader = select.ExecuteReader())
        {
            while (reader.Read())
            {
                stale.Add((Convert.ToInt64(reader.GetValue(0), CultureInfo.InvariantCulture), Convert.ToInt32(reader.GetValue(1), CultureInfo.InvariantCulture)));
            }
        }

        var reason = AttributeJson.Quote($"The worker running this trial sent no heartbeat for {gracePeriod.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s; it is presumed dead.");
        foreach (var (id, _) in stale)
        {
            Execute(connection, transaction, "UPDATE trials SET state = 'FAIL', datetime_complete = @complete WHERE trial_id = @trial", ("complete", Timestamp(DateTime.Now)), ("trial", id));
            Execute(connection, transaction, "INSERT INTO trial_system_attributes (trial_id, \"key\", value_json) VALUES (@trial, @key, @value) ON CONFLICT (trial_id, \"key\") DO UPDATE SET value_json = excluded.value_json", ("trial", id), ("key", FrozenTrial.FailReasonKey), ("value", reason));
        }

        transaction.Commit();
        return stale.Select(s => s.Number).ToList();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the provider's pooled connections.</summary>
    protected virtual void Dispose(bool disposing)
    {
    }

    private void UpsertHeartbeat(DbConnection connection, DbTransaction transaction, long trialId)
    {
        using var command = Command(connection, transaction, string.Empty, ("trial", trialId));
        command.CommandText = $"INSERT INTO trial_heartbeats (trial_id, heartbeat) VALUES (@trial, {HeartbeatNow(command)}) ON CONFLICT (trial_id) DO UPDATE SET heartbeat = excluded.heartbeat";
        command.ExecuteNonQuery();
    }

    private void RequireRunning(DbConnection connection, DbTransaction transaction, long trialId)
    {
        var state = Scalar(connection, transaction, "SELECT state FROM trials WHERE trial_id = @trial" + ForUpdate, ("trial", trialId)) as string
            ?? throw new ArgumentException($"There is no trial with id {trialId}.", nameof(trialId));
        if (state != "RUNNING")
        {
            throw new InvalidOperationException($"The trial with id {trialId} is already {state}; a finished trial does not change (was it failed by a heartbeat timeout?).");
        }
    }

    private static DbCommand Command(DbConnection connection, DbTransaction transaction, string sql, params (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        return command;
    }

    private protected static void Execute(DbConnection connection, DbTransaction transaction, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = Command(connection, transaction, sql, parameters);
        command.ExecuteNonQuery();
    }

    private protected static object? Scalar(DbConnection connection, DbTransaction transaction, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = Command(connection, transaction, sql, parameters);
        var result = command.ExecuteScalar();
        return result is DBNull ? null : result;
    }

    private static List<T> Rows<T>(DbConnection connection, DbTransaction transaction, string sql, Func<DbDataReader, T> read, params (string Name, object Value)[] parameters)
    {
        using var command = Command(connection, transaction, sql, parameters);
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    /// <summary>Adds a parameter to <paramref name="command"/> and returns its placeholder.</summary>
    private protected static string AddParameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
        return "@" + name;
    }
}
