using Npgsql;

namespace LocalFineTune.Jobs.Postgres;

internal static class PostgresHelpers
{
    public static NpgsqlCommand Command(
        this NpgsqlConnection connection, NpgsqlTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
        return command;
    }

    public static int Exec(
        this NpgsqlConnection connection, NpgsqlTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = connection.Command(tx, sql, parameters);
        return command.ExecuteNonQuery();
    }

    public static object? Scalar(
        this NpgsqlConnection connection, NpgsqlTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = connection.Command(tx, sql, parameters);
        var value = command.ExecuteScalar();
        return value is DBNull ? null : value;
    }

    public static List<T> Query<T>(
        this NpgsqlConnection connection, NpgsqlTransaction? tx, string sql, Func<NpgsqlDataReader, T> map,
        params (string Name, object? Value)[] parameters)
    {
        using var command = connection.Command(tx, sql, parameters);
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(map(reader));
        }
        return rows;
    }

    public static string? StringOrNull(this NpgsqlDataReader r, string column)
    {
        var i = r.GetOrdinal(column);
        return r.IsDBNull(i) ? null : r.GetString(i);
    }

    public static long? Int64OrNull(this NpgsqlDataReader r, string column)
    {
        var i = r.GetOrdinal(column);
        return r.IsDBNull(i) ? null : r.GetInt64(i);
    }

    public static long Int64(this NpgsqlDataReader r, string column) => r.GetInt64(r.GetOrdinal(column));

    public static string String(this NpgsqlDataReader r, string column) => r.GetString(r.GetOrdinal(column));
}
