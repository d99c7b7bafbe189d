using System.Security.Cryptography;
using System.Text;
using LocalFineTune.Jobs.Postgres;
using LocalFineTune.Jobs.Sqlite;

namespace LocalFineTune.Jobs.Tests;

/// <summary>
/// Applied migrations are frozen: a database that already ran version N never runs it again, so an edited text would
/// leave old and new databases with different schemas. Migration 1 is built from a template shared by both stores,
/// which makes an accidental edit easy; these hashes catch one. A new migration appends a hash here; if one of these
/// fails, undo the edit to the applied migration and append a new migration instead.
/// </summary>
public sealed class JobSchemaTests
{
    [Fact]
    public void SqliteMigrations_AreTheAppliedTexts()
    {
        Assert.Equal(
        [
            "095388869de0ee95433e2bfefada44b79fb17344507ede318b2c102f394edf57",
            "caabdce97125eb7cad6a2f676350fb2aecad3cf788427ca16eb3093d048fcd9e",
            "494dd52d7106ef57a822c6c2e75ebf3be8ed239e2991a6e6980a41c051929a62",
        ], SqliteSchema.Migrations.Select(Sha256));
    }

    [Fact]
    public void PostgresMigrations_AreTheAppliedTexts()
    {
        Assert.Equal(
        [
            "85c948220327f9a70a09155f89751f7d9c6ab4f4aea067cc911177ad3d44a696",
            "caabdce97125eb7cad6a2f676350fb2aecad3cf788427ca16eb3093d048fcd9e",
            "494dd52d7106ef57a822c6c2e75ebf3be8ed239e2991a6e6980a41c051929a62",
        ], PostgresSchema.Migrations.Select(Sha256));
    }

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
