using System.Data.Common;
using LocalFineTune.Jobs.Ado;

namespace LocalFineTune.Jobs.Models;

/// <summary>
/// A base model's <c>latest</c>: the fine-tuned folder that "latest" means for that base. Set when a job's model is
/// promoted or by POST /api/finetune/models/{name}/promote; stored next to the jobs, so every process of the postgres
/// profile sees the same one.
/// </summary>
/// <param name="BaseModel">The base's name ("gpt2"), the prefix of its output folders.</param>
/// <param name="ModelName">The fine-tuned folder name under the models root ("gpt2-finetuned-20250101_000000").</param>
/// <param name="PreviousModel">What the pointer named before this change, so a rollback can be undone by hand.</param>
/// <param name="JobId">The job whose promotion set it; null when set by hand.</param>
/// <param name="SetAt">Unix seconds.</param>
public sealed record ModelPointer(string BaseModel, string ModelName, string? PreviousModel, string? JobId, string Reason, long SetAt);

/// <summary>The stored <c>latest</c> pointers, one per base. Implemented by the SQLite and PostgreSQL job stores.</summary>
public interface IModelPointers
{
    /// <summary>Points the base's latest at <paramref name="modelName"/> (insert or replace) and returns the new pointer.</summary>
    ModelPointer SetLatest(string baseModel, string modelName, string? jobId, string reason);

    ModelPointer? GetLatest(string baseModel);

    /// <summary>Every base's pointer, most recently set first.</summary>
    IReadOnlyList<ModelPointer> ListLatest();
}

/// <summary>The SQL both stores run: the statements are portable (ON CONFLICT works in SQLite and PostgreSQL).</summary>
internal static class ModelPointerSql
{
    public static ModelPointer Set(DbConnection c, DbTransaction tx, string baseModel, string modelName, string? jobId, string reason, long now)
    {
        Validate(baseModel, modelName, reason);
        c.Exec(tx, Upsert, ("@base", baseModel), ("@model", modelName), ("@job", jobId), ("@reason", reason), ("@now", now));
        return Read(c, tx, baseModel)[0];
    }

    /// <summary>One base's pointer, or (<paramref name="baseModel"/> null) all of them, most recently set first.</summary>
    public static List<ModelPointer> Read(DbConnection c, DbTransaction? tx, string? baseModel) =>
        c.Query(tx, $"SELECT {Columns} FROM model_pointers {(baseModel is null ? "" : "WHERE base_model = @base")} ORDER BY set_at DESC, base_model",
            r => new ModelPointer(r.GetString(0), r.GetString(1), r.StringOrNull("previous_model"), r.StringOrNull("job_id"), r.GetString(4), r.GetInt64(5)),
            ("@base", baseModel));

    public const string Columns = "base_model, model_name, previous_model, job_id, reason, set_at";

    public const string Upsert = """
        INSERT INTO model_pointers (base_model, model_name, previous_model, job_id, reason, set_at)
        VALUES (@base, @model, (SELECT model_name FROM model_pointers WHERE base_model = @base), @job, @reason, @now)
        ON CONFLICT (base_model) DO UPDATE SET
            previous_model = model_pointers.model_name, model_name = excluded.model_name,
            job_id = excluded.job_id, reason = excluded.reason, set_at = excluded.set_at
        """;

    /// <summary>Applied as migration 2 of both schemas: never edit it, append a new migration instead.</summary>
    public const string Migration = """
        CREATE TABLE model_pointers (
            base_model TEXT PRIMARY KEY,
            model_name TEXT NOT NULL,
            previous_model TEXT,
            job_id TEXT,
            reason TEXT NOT NULL,
            set_at BIGINT NOT NULL
        );
        """;

    private static void Validate(string baseModel, string modelName, string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(baseModel);
        ArgumentException.ThrowIfNullOrWhiteSpace(modelName);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        if (!modelName.StartsWith(baseModel + "-", StringComparison.Ordinal))
        {
            throw new ArgumentException($"Model '{modelName}' is not a fine-tune of base '{baseModel}' (its folder name must start with '{baseModel}-').", nameof(modelName));
        }
    }
}
