using LocalFineTune.Server.OpenAi.Common;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace LocalFineTune.Server.OpenAi.Files;

/// <summary>/v1/files: upload (multipart, streamed to disk), list, retrieve, delete, download.</summary>
public static class FilesEndpoints
{
    public const string FineTunePurpose = "fine-tune";
    private const int MaxListLimit = 10_000;

    public static RouteGroupBuilder MapOpenAiFiles(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/files").WithTags("OpenAI").WithOpenAiErrors();
        group.MapPost("/", UploadAsync).DisableAntiforgery().WithSummary("Upload a .jsonl or .csv file with purpose=fine-tune.");
        group.MapGet("/", List).WithSummary("Uploaded files; ?purpose=, ?after=<file id>, ?limit=, ?order=asc|desc.");
        group.MapGet("/{file_id}", (string file_id, FileStore store) => OpenAiJson.Ok(store.Get(file_id)));
        group.MapDelete("/{file_id}", Delete);
        group.MapGet("/{file_id}/content", (string file_id, FileStore store) =>
            TypedResults.PhysicalFile(store.ContentOf(file_id), "application/octet-stream", UploadNames.SafeBaseName(store.Get(file_id).Filename)));
        return group;
    }

    private static async Task<IResult> UploadAsync(HttpRequest request, FileStore store, IOptions<OpenAiOptions> options, CancellationToken cancellation)
    {
        var limit = options.Value.MaxUploadBytes;
        // Kestrel's default body cap is 30 MB; lift it to our own cap plus room for the multipart framing.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = limit + 64 * 1024;
        }
        if (request.ContentLength > limit + 64 * 1024) throw TooLarge(limit);
        var boundary = Boundary(request.ContentType);
        var reader = new MultipartReader(boundary, request.Body);
        string? purpose = null, filename = null, temp = null;
        try
        {
            for (var section = await Reading<MultipartSection?>(() => reader.ReadNextSectionAsync(cancellation), cancellation); section is not null;
                 section = await Reading<MultipartSection?>(() => reader.ReadNextSectionAsync(cancellation), cancellation))
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)) continue;
                var name = disposition.Name.Value?.Trim('"');
                if (name == "purpose") purpose = (await Reading<string>(async () => await section.ReadAsStringAsync(cancellation), cancellation)).Trim();
                else if (name == "file" && temp is null)
                {
                    filename = UploadNames.SafeBaseName(disposition.FileNameStar.Value ?? disposition.FileName.Value?.Trim('"'));
                    temp = store.NewTempPath();
                    await CopyCappedAsync(section.Body, temp, limit, cancellation);
                }
            }
            return OpenAiJson.Ok(Finish(store, temp, filename, purpose));
        }
        finally
        {
            if (temp is not null && File.Exists(temp)) File.Delete(temp);
        }
    }

    private static FileObject Finish(FileStore store, string? temp, string? filename, string? purpose)
    {
        if (temp is null || filename is null)
            throw OpenAiException.BadRequest("Missing required parameter: 'file'. Send the dataset as the multipart field 'file'.", "file", "missing_required_parameter");
        if (string.IsNullOrEmpty(purpose))
            throw OpenAiException.BadRequest("Missing required parameter: 'purpose'. Use purpose=fine-tune.", "purpose", "missing_required_parameter");
        if (purpose != FineTunePurpose)
            throw OpenAiException.BadRequest($"Invalid purpose '{purpose}'. This server stores training data only: use 'fine-tune'.", "purpose", "invalid_purpose");
        var extension = UploadChecks.ExtensionFor(filename);
        if (new FileInfo(temp).Length == 0)
            throw OpenAiException.BadRequest($"'{filename}' is empty. Upload a file with at least 10 examples.", "file", "invalid_file_format");
        if (extension == ".jsonl") UploadChecks.CheckJsonl(temp, filename);
        return store.Add(FileStore.NewId(), temp, filename, purpose, extension);
    }

    /// <summary>Streams to disk and stops reading at the cap: a huge upload never fills memory or the disk first.</summary>
    private static async Task CopyCappedAsync(Stream source, string path, long limit, CancellationToken cancellation)
    {
        await using var target = File.Create(path);
        var buffer = new byte[81920];
        long total = 0;
        int read;
        while ((read = await Reading(() => source.ReadAsync(buffer, cancellation).AsTask(), cancellation)) > 0)
        {
            total += read;
            if (total > limit) throw TooLarge(limit);
            await target.WriteAsync(buffer.AsMemory(0, read), cancellation);
        }
    }

    /// <summary>
    /// One read of the request body. A boundary that does not match the body, or a body cut off before the closing
    /// boundary, surfaces as an IOException (or InvalidDataException) from MultipartReader; a body Kestrel refuses as
    /// a BadHttpRequestException inside one. All are the client's: a 400 (413 for size), never a 500. Only reads are
    /// wrapped, so a full disk while writing the temp file stays a server error.
    /// </summary>
    private static async Task<T> Reading<T>(Func<Task<T>> read, CancellationToken cancellation)
    {
        try
        {
            return await read();
        }
        catch (Exception e) when (e is IOException or InvalidDataException or BadHttpRequestException && !cancellation.IsCancellationRequested)
        {
            if (Problems.ClientErrors.Find(e) is { Status: StatusCodes.Status413PayloadTooLarge }) throw new OpenAiException(413,
                "The upload is larger than this server accepts. Split the dataset, or raise LocalFineTune:OpenAi:MaxUploadBytes.", "file", "file_too_large");
            throw OpenAiException.BadRequest($"The multipart body could not be read: {Problems.ClientText.Echo(e.Message)} " +
                "Check that the boundary in Content-Type matches the body and that the body ends with the closing boundary; " +
                "send multipart/form-data with fields 'file' and 'purpose'.", null, "invalid_multipart");
        }
    }

    private static OpenAiException TooLarge(long limit) =>
        new(StatusCodes.Status413PayloadTooLarge, $"The file is larger than this server's upload limit of {limit} bytes. " +
            "Split the dataset, or raise LocalFineTune:OpenAi:MaxUploadBytes.", "file", "file_too_large");

    private static string Boundary(string? contentType)
    {
        if (MediaTypeHeaderValue.TryParse(contentType, out var media) && media.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            && HeaderUtilities.RemoveQuotes(media.Boundary).Value is { Length: > 0 } boundary)
        {
            return boundary;
        }
        throw new OpenAiException(StatusCodes.Status415UnsupportedMediaType,
            $"Content-Type '{Problems.ClientText.Echo(contentType)}' is not accepted here; upload with multipart/form-data (fields 'file' and 'purpose').", null, "unsupported_media_type");
    }

    private static IResult List(FileStore store, string? purpose, string? after, string? limit, string? order)
    {
        var pageSize = Paging.Limit(limit, MaxListLimit, MaxListLimit);
        if (order is not (null or "asc" or "desc"))
            throw OpenAiException.BadRequest($"Invalid 'order': '{order}'. Use asc or desc.", "order", "invalid_order");
        var files = store.List().Where(f => purpose is null || f.Purpose == purpose);
        var sorted = (order == "asc" ? files.OrderBy(f => f.CreatedAt).ThenBy(f => f.Id, StringComparer.Ordinal)
            : files.OrderByDescending(f => f.CreatedAt).ThenByDescending(f => f.Id, StringComparer.Ordinal)).ToList();
        if (after is not null)
        {
            var index = sorted.FindIndex(f => f.Id == after);
            if (index < 0) throw OpenAiException.BadRequest($"Invalid 'after': no file '{after}'. Pass the last id of the previous page.", "after", "file_not_found");
            sorted = sorted.Skip(index + 1).ToList();
        }
        var page = sorted.Take(pageSize).ToList();
        return OpenAiJson.Ok(Paging.Of(page, sorted.Count > pageSize, f => f.Id));
    }

    private static IResult Delete(string file_id, FileStore store)
    {
        store.Get(file_id);
        store.Delete(file_id);
        return OpenAiJson.Ok(new DeletedObject(file_id, "file", true));
    }
}
