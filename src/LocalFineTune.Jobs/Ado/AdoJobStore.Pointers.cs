using LocalFineTune.Jobs.Models;

namespace LocalFineTune.Jobs.Ado;

public abstract partial class AdoJobStore : IModelPointers
{
    public ModelPointer SetLatest(string baseModel, string modelName, string? jobId, string reason) =>
        WithTransaction((c, tx) => ModelPointerSql.Set(c, tx, baseModel, modelName, jobId, reason, Now));

    public ModelPointer? GetLatest(string baseModel)
    {
        using var c = Open();
        return ModelPointerSql.Read(c, null, baseModel).FirstOrDefault();
    }

    public IReadOnlyList<ModelPointer> ListLatest()
    {
        using var c = Open();
        return ModelPointerSql.Read(c, null, null);
    }
}
