using LocalFineTune.Jobs.Models;

namespace LocalFineTune.Jobs.Ado;

/// <summary>The model pointers table (SQL in <see cref="ModelPointerSql"/>, the same for both databases).</summary>
public abstract partial class AdoJobStore : IModelPointers
{
    public ModelPointer SetLatest(string baseModel, string modelName, string? jobId, string reason) =>
        WithTransaction((c, tx) => ModelPointerSql.Set(c, tx, baseModel, modelName, jobId, reason, Now));

    public ModelPointer? GetLatest(string baseModel) => WithConnection(c => ModelPointerSql.Read(c, null, baseModel).FirstOrDefault());

    public IReadOnlyList<ModelPointer> ListLatest() => WithConnection(c => ModelPointerSql.Read(c, null, null));
}
