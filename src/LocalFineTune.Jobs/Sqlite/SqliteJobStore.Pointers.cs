using LocalFineTune.Jobs.Models;

namespace LocalFineTune.Jobs.Sqlite;

public sealed partial class SqliteJobStore : IModelPointers
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
