namespace LocalFineTune.Jobs.Ado;

/// <summary>
/// The SQL words in which SQLite and PostgreSQL differ inside otherwise shared statements. Everything else the stores
/// run is the same text; what differs as a whole (locking, migration 1's column types) stays in each store.
/// </summary>
/// <param name="Greatest">The larger of two values: SQLite's scalar <c>MAX(a, b)</c>, PostgreSQL's <c>GREATEST(a, b)</c>
/// (there MAX is only an aggregate).</param>
/// <param name="IsDistinctFrom">NULL-safe "not equal": SQLite's <c>IS NOT</c>, PostgreSQL's <c>IS DISTINCT FROM</c>.</param>
internal sealed record SqlDialect(string Greatest, string IsDistinctFrom)
{
    public static readonly SqlDialect Sqlite = new("MAX", "IS NOT");
    public static readonly SqlDialect Postgres = new("GREATEST", "IS DISTINCT FROM");
}
