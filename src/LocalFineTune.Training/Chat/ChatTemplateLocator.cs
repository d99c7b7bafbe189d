using System.Text.Json;
using LocalFineTune.Templating;
using LocalFineTune.Tokenizers;

namespace LocalFineTune.Training.Chat;

/// <summary>
/// Finds the chat template a model folder ships, where transformers looks for it: chat_template.jinja beside the
/// tokenizer (newer folders; it wins), else tokenizer_config.json's chat_template (a string, or a list of named
/// templates of which "default" is used). Null when the folder has none: callers then use the documented fallback
/// (<see cref="Data.ChatTemplateRenderer"/>).
/// </summary>
public static class ChatTemplateLocator
{
    public const string TemplateFileName = "chat_template.jinja";

    /// <exception cref="InvalidDataException">the folder's template is not valid Jinja or uses what our engine lacks</exception>
    public static ModelChatTemplate? Find(string modelFolder, Tokenizer tokenizer)
    {
        var (source, origin) = ReadSource(modelFolder, tokenizer);
        if (source is null) return null;
        try
        {
            return new ModelChatTemplate(JinjaTemplate.Parse(source), origin, SpecialTokens(tokenizer), SpecialTexts(tokenizer));
        }
        catch (TemplateException e)
        {
            throw new InvalidDataException($"The chat template in {origin} cannot be used: {e.Message}. " +
                $"Fix the template, or remove it to use the default chat format.", e);
        }
    }

    /// <summary>The template of the folder the tokenizer was loaded from (null for a tokenizer built from text).</summary>
    public static ModelChatTemplate? ForTokenizer(Tokenizer tokenizer)
    {
        var folder = tokenizer.SourceFiles.Count > 0 ? Path.GetDirectoryName(Path.GetFullPath(tokenizer.SourceFiles[0])) : null;
        if (folder is not null) return Find(folder, tokenizer);
        return tokenizer.ChatTemplate is null ? null : new ModelChatTemplate(Parse(tokenizer.ChatTemplate, "tokenizer_config.json"), "tokenizer_config.json", SpecialTokens(tokenizer), SpecialTexts(tokenizer));
    }

    private static JinjaTemplate Parse(string source, string origin)
    {
        try { return JinjaTemplate.Parse(source); }
        catch (TemplateException e) { throw new InvalidDataException($"The chat template in {origin} cannot be used: {e.Message}", e); }
    }

    private static (string? Source, string Origin) ReadSource(string modelFolder, Tokenizer tokenizer)
    {
        var file = Path.Combine(modelFolder, TemplateFileName);
        if (File.Exists(file)) return (File.ReadAllText(file), $"'{file}'");
        var config = Path.Combine(modelFolder, "tokenizer_config.json");
        if (File.Exists(config)) return (TemplateInConfig(config), $"'{config}'");
        return (tokenizer.ChatTemplate, "the tokenizer");
    }

    /// <summary>chat_template as a string, or the "default" entry of a list of {name, template}.</summary>
    private static string? TemplateInConfig(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        if (!document.RootElement.TryGetProperty("chat_template", out var template)) return null;
        if (template.ValueKind == JsonValueKind.String) return template.GetString();
        if (template.ValueKind != JsonValueKind.Array) return null;
        foreach (var entry in template.EnumerateArray())
            if (entry.ValueKind == JsonValueKind.Object && entry.TryGetProperty("name", out var name) && name.GetString() == "default"
                && entry.TryGetProperty("template", out var text) && text.ValueKind == JsonValueKind.String)
                return text.GetString();
        var names = string.Join(", ", template.EnumerateArray().Select(e => e.TryGetProperty("name", out var n) ? n.GetString() : "?"));
        throw new InvalidDataException($"'{path}' lists chat templates ({names}) but none named \"default\"; name the one to use \"default\".");
    }

    private static IReadOnlyList<string> SpecialTexts(Tokenizer tokenizer) =>
        tokenizer.AddedTokens.Where(t => t.Special && t.Content.Length > 0).Select(t => t.Content)
            .Concat(new[] { tokenizer.EosTokenId }.OfType<int>().Select(tokenizer.IdToToken).OfType<string>()).Distinct().ToList();

    /// <summary>The special tokens transformers passes to templates (only those the tokenizer defines).</summary>
    private static IReadOnlyDictionary<string, object?> SpecialTokens(Tokenizer tokenizer)
    {
        var tokens = new Dictionary<string, object?>();
        void Add(string name, int? id) { if (id is int i && tokenizer.IdToToken(i) is { } text) tokens[name] = text; }
        Add("bos_token", tokenizer.BosTokenId);
        Add("eos_token", tokenizer.EosTokenId);
        Add("unk_token", tokenizer.UnkTokenId);
        Add("pad_token", tokenizer.ExplicitPadTokenId);
        return tokens;
    }
}
