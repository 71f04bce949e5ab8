using System;
using Npgsql;

namespace Volt.Search.Storages;

/// <summary>Opens a storage from an Optuna-style URL.</summary>
public static class StudyStorage
{
    /// <summary>
    /// <c>sqlite:///relative/path.db</c> or <c>sqlite:////absolute/path.db</c> (SQLAlchemy's form, as
    /// Optuna takes it) opens a <see cref="SqliteStudyStorage"/>; <c>postgresql://user:password@host:port/database</c>
    /// a <see cref="PostgresStudyStorage"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The URL is of another kind (Optuna's RDB URLs for other databases, or Redis, are not supported).</exception>
    public static IStudyStorage Open(string url)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(url);
        if (url.StartsWith("sqlite:///", StringComparison.Ordinal))
        {
            return new SqliteStudyStorage(url["sqlite:///".Length..]);
        }

        if (url.StartsWith("postgresql://", StringComparison.Ordinal) || url.StartsWith("postgres://", StringComparison.Ordinal))
        {
            var uri = new Uri(url);
            var builder = new NpgsqlConnectionStringBuilder
            {
                Host = uri.Host,
                Port = uri.IsDefaultPort || uri.Port < 0 ? 5432 : uri.Port,
                Database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/')),
            };
            var user = uri.UserInfo.Split(':', 2);
            if (user[0].Length > 0)
            {
                builder.Username = Uri.UnescapeDataString(user[0]);
            }

            if (user.Length == 2)
            {
                builder.Password = Uri.UnescapeDataString(user[1]);
            }

            return new PostgresStudyStorage(builder.ToString());
        }

        throw new ArgumentException($"The storage URL '{url}' is not one Volt opens; use sqlite:///path.db or postgresql://user@host:port/database.", nameof(url));
    }
}
