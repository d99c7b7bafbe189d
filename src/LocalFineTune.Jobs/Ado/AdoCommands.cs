using System.Data.Common;

namespace LocalFineTune.Jobs.Ado;

/// <summary>
/// Commands and row access over the ADO.NET base classes, so one copy serves SQLite and PostgreSQL: each store passes
/// its own connection and transaction. Parameters are (name, value) pairs; null is sent as SQL NULL.
/// </summary>
internal static class AdoCommands
{
    public static int Exec(this DbConnection c, DbTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = c.Command(tx, sql, parameters);
        return command.ExecuteNonQuery();
    }

    /// <summary>The first column of the first row; null for no row or SQL NULL.</summary>
    public static object? Scalar(this DbConnection c, DbTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = c.Command(tx, sql, parameters);
        var value = command.ExecuteScalar();
        return value is DBNull ? null : value;
    }

    public static List<T> Query<T>(
        this DbConnection c, DbTransaction? tx, string sql, Func<DbDataReader, T> map, params (string Name, object? Value)[] parameters)
    {
        using var command = c.Command(tx, sql, parameters);
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(map(reader));
        }
        return rows;
    }

    public static string? StringOrNull(this DbDataReader r, string column)
    {
        var i = r.GetOrdinal(column);
        return r.IsDBNull(i) ? null : r.GetString(i);
    }

    public static long? Int64OrNull(this DbDataReader r, string column)
    {
        var i = r.GetOrdinal(column);
        return r.IsDBNull(i) ? null : r.GetInt64(i);
    }

    public static long Int64(this DbDataReader r, string column) => r.GetInt64(r.GetOrdinal(column));

    public static string String(this DbDataReader r, string column) => r.GetString(r.GetOrdinal(column));

    private static DbCommand Command(this DbConnection c, DbTransaction? tx, string sql, (string Name, object? Value)[] parameters)
    {
        var command = c.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }
        return command;
    }
}
