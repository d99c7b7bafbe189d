using LocalFineTune.Jobs.Models;
using Npgsql;

namespace LocalFineTune.Jobs.Postgres;

public sealed partial class PostgresJobStore : IModelPointers
{
    public ModelPointer SetLatest(string baseModel, string modelName, string? jobId, string reason)
    {
        ModelPointerSql.Validate(baseModel, modelName, reason);
        return WithTransaction((c, tx) =>
        {
            c.Exec(tx, ModelPointerSql.Upsert, ("@base", baseModel), ("@model", modelName), ("@job", jobId), ("@reason", reason), ("@now", Now));
            return ReadPointers(c, tx, "WHERE base_model = @base", ("@base", baseModel))[0];
        });
    }

    public ModelPointer? GetLatest(string baseModel)
    {
        using var c = Open();
        return ReadPointers(c, null, "WHERE base_model = @base", ("@base", baseModel)).FirstOrDefault();
    }

    public IReadOnlyList<ModelPointer> ListLatest()
    {
        using var c = Open();
        return ReadPointers(c, null, "");
    }

    private static List<ModelPointer> ReadPointers(NpgsqlConnection c, NpgsqlTransaction? tx, string where, params (string, object?)[] parameters) =>
        c.Query(tx, $"SELECT {ModelPointerSql.Columns} FROM model_pointers {where} ORDER BY set_at DESC, base_model", r => new ModelPointer(
            r.String("base_model"), r.String("model_name"), r.StringOrNull("previous_model"), r.StringOrNull("job_id"),
            r.String("reason"), r.Int64("set_at")), parameters);
}
