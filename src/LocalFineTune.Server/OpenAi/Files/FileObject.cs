namespace LocalFineTune.Server.OpenAi.Files;

/// <summary>OpenAI's file object. status is always "processed": the shape check runs during the upload itself.</summary>
public sealed record FileObject(string Id, long Bytes, long CreatedAt, string Filename, string Purpose, string Status = "processed")
{
    public string Object => "file";
    public long? ExpiresAt => null;
    public string? StatusDetails => null;
}

public sealed record DeletedObject(string Id, string Object, bool Deleted);
