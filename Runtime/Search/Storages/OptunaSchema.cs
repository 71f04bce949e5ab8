namespace Volt.Search.Storages;

/// <summary>
/// Optuna's RDB schema (<c>optuna/storages/_rdb/models.py</c>) at schema version 12, the head of
/// Optuna 3.0–3.1's migrations (alembic revision <c>v3.0.0.d</c>). Python's optuna opens a database
/// with these tables as one of its own: it reads <c>alembic_version</c> to decide that no migration
/// is needed, and <c>version_info</c> for the schema version. Enums are stored as their names in
/// VARCHAR columns, parameters as floats with Optuna's distribution JSON.
/// </summary>
internal static class OptunaSchema
{
    /// <summary>Optuna's schema version for these tables.</summary>
    public const int SchemaVersion = 12;

    /// <summary>The alembic head revision of Optuna 3.0 and 3.1.</summary>
    public const string AlembicRevision = "v3.0.0.d";

    /// <summary>The library version written to version_info (the Optuna release whose schema this is).</summary>
    public const string LibraryVersion = "3.1.0";

    /// <summary>The CREATE TABLE statements; <c>{id}</c> is the dialect's auto-numbered key type, <c>{datetime}</c> its timestamp type.</summary>
    public static readonly string[] Tables =
    [
        """
        CREATE TABLE studies (
            study_id {id} NOT NULL,
            study_name VARCHAR(512) NOT NULL,
            PRIMARY KEY (study_id)
        )
        """,
        "CREATE UNIQUE INDEX ix_studies_study_name ON studies (study_name)",
        """
        CREATE TABLE version_info (
            version_info_id INTEGER NOT NULL,
            schema_version INTEGER,
            library_version VARCHAR(256),
            PRIMARY KEY (version_info_id),
            CHECK (version_info_id=1)
        )
        """,
        """
        CREATE TABLE study_directions (
            study_direction_id {id} NOT NULL,
            direction VARCHAR(8) NOT NULL,
            study_id INTEGER NOT NULL,
            objective INTEGER NOT NULL,
            PRIMARY KEY (study_direction_id),
            UNIQUE (study_id, objective),
            FOREIGN KEY(study_id) REFERENCES studies (study_id)
        )
        """,
        """
        CREATE TABLE study_user_attributes (
            study_user_attribute_id {id} NOT NULL,
            study_id INTEGER,
            "key" VARCHAR(512),
            value_json TEXT,
            PRIMARY KEY (study_user_attribute_id),
            UNIQUE (study_id, "key"),
            FOREIGN KEY(study_id) REFERENCES studies (study_id)
        )
        """,
        """
        CREATE TABLE study_system_attributes (
            study_system_attribute_id {id} NOT NULL,
            study_id INTEGER,
            "key" VARCHAR(512),
            value_json TEXT,
            PRIMARY KEY (study_system_attribute_id),
            UNIQUE (study_id, "key"),
            FOREIGN KEY(study_id) REFERENCES studies (study_id)
        )
        """,
        """
        CREATE TABLE trials (
            trial_id {id} NOT NULL,
            number INTEGER,
            study_id INTEGER,
            state VARCHAR(8) NOT NULL,
            datetime_start {datetime},
            datetime_complete {datetime},
            PRIMARY KEY (trial_id),
            FOREIGN KEY(study_id) REFERENCES studies (study_id)
        )
        """,
        """
        CREATE TABLE trial_user_attributes (
            trial_user_attribute_id {id} NOT NULL,
            trial_id INTEGER,
            "key" VARCHAR(512),
            value_json TEXT,
            PRIMARY KEY (trial_user_attribute_id),
            UNIQUE (trial_id, "key"),
            FOREIGN KEY(trial_id) REFERENCES trials (trial_id)
        )
        """,
        """
        CREATE TABLE trial_system_attributes (
            trial_system_attribute_id {id} NOT NULL,
            trial_id INTEGER,
            "key" VARCHAR(512),
            value_json TEXT,
            PRIMARY KEY (trial_system_attribute_id),
            UNIQUE (trial_id, "key"),
            FOREIGN KEY(trial_id) REFERENCES trials (trial_id)
        )
        """,
        """
        CREATE TABLE trial_params (
            param_id {id} NOT NULL,
            trial_id INTEGER,
            param_name VARCHAR(512),
            param_value FLOAT,
            distribution_json TEXT,
            PRIMARY KEY (param_id),
            UNIQUE (trial_id, param_name),
            FOREIGN KEY(trial_id) REFERENCES trials (trial_id)
        )
        """,
        """
        CREATE TABLE trial_values (
            trial_value_id {id} NOT NULL,
            trial_id INTEGER NOT NULL,
            objective INTEGER NOT NULL,
            value FLOAT,
            value_type VARCHAR(7) NOT NULL,
            PRIMARY KEY (trial_value_id),
            UNIQUE (trial_id, objective),
            FOREIGN KEY(trial_id) REFERENCES trials (trial_id)
        )
        """,
        """
        CREATE TABLE trial_intermediate_values (
            trial_intermediate_value_id {id} NOT NULL,
            trial_id INTEGER NOT NULL,
            step INTEGER NOT NULL,
            intermediate_value FLOAT,
            intermediate_value_type VARCHAR(7) NOT NULL,
            PRIMARY KEY (trial_intermediate_value_id),
            UNIQUE (trial_id, step),
            FOREIGN KEY(trial_id) REFERENCES trials (trial_id)
        )
        """,
        """
        CREATE TABLE trial_heartbeats (
            trial_heartbeat_id {id} NOT NULL,
            trial_id INTEGER NOT NULL,
            heartbeat {datetime} NOT NULL,
            PRIMARY KEY (trial_heartbeat_id),
            UNIQUE (trial_id),
            FOREIGN KEY(trial_id) REFERENCES trials (trial_id)
        )
        """,
        """
        CREATE TABLE alembic_version (
            version_num VARCHAR(32) NOT NULL,
            CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
        )
        """,
    ];

    /// <summary>The stored name of a state (Optuna's TrialState member names).</summary>
    public static string StateName(TrialState state) => state switch
    {
        TrialState.Running => "RUNNING",
        TrialState.Complete => "COMPLETE",
        TrialState.Pruned => "PRUNED",
        TrialState.Fail => "FAIL",
        _ => "WAITING",
    };

    /// <summary>The state of a stored name.</summary>
    public static TrialState ParseState(string name) => name switch
    {
        "RUNNING" => TrialState.Running,
        "COMPLETE" => TrialState.Complete,
        "PRUNED" => TrialState.Pruned,
        "FAIL" => TrialState.Fail,
        "WAITING" => TrialState.Waiting,
        _ => throw new System.IO.InvalidDataException($"The trial state '{name}' is not one of Optuna's."),
    };

    /// <summary>How Optuna stores a float: finite values as they are, infinities as NULL with a type, NaN (intermediate values only) likewise.</summary>
    public static (object Value, string Type) StoredValue(double value) => value switch
    {
        double.PositiveInfinity => (System.DBNull.Value, "INF_POS"),
        double.NegativeInfinity => (System.DBNull.Value, "INF_NEG"),
        _ when double.IsNaN(value) => (System.DBNull.Value, "NAN"),
        _ => (value, "FINITE"),
    };

    /// <summary>The float a stored value and type stand for.</summary>
    public static double ReadValue(object stored, string type) => type switch
    {
        "INF_POS" => double.PositiveInfinity,
        "INF_NEG" => double.NegativeInfinity,
        "NAN" => double.NaN,
        _ => System.Convert.ToDouble(stored, System.Globalization.CultureInfo.InvariantCulture),
    };
}
