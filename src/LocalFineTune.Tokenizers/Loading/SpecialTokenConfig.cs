using System.Text.Json;

namespace LocalFineTune.Tokenizers.Loading;

/// <summary>What transformers reads from tokenizer_config.json / special_tokens_map.json.</summary>
internal sealed record SpecialTokenConfig(
    string? BosToken = null, string? EosToken = null, string? UnkToken = null, string? PadToken = null,
    bool? AddBosToken = null, bool? AddEosToken = null, string? TokenizerClass = null, string? ChatTemplate = null)
{
    /// <summary>special_tokens_map.json fills what tokenizer_config.json leaves out.</summary>
    public static SpecialTokenConfig Load(string? tokenizerConfigPath, string? specialTokensMapPath)
    {
        var config = tokenizerConfigPath is not null && File.Exists(tokenizerConfigPath) ? Parse(File.ReadAllText(tokenizerConfigPath)) : new SpecialTokenConfig();
        if (specialTokensMapPath is null || !File.Exists(specialTokensMapPath)) return config;
        var map = Parse(File.ReadAllText(specialTokensMapPath));
        return config with
        {
            BosToken = config.BosToken ?? map.BosToken, EosToken = config.EosToken ?? map.EosToken,
            UnkToken = config.UnkToken ?? map.UnkToken, PadToken = config.PadToken ?? map.PadToken,
        };
    }

    public static SpecialTokenConfig Parse(string json)
    {
        using var document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        var root = document.RootElement;
        return new SpecialTokenConfig(
            TokenText(root, "bos_token"), TokenText(root, "eos_token"), TokenText(root, "unk_token"), TokenText(root, "pad_token"),
            OptionalBool(root, "add_bos_token"), OptionalBool(root, "add_eos_token"),
            ComponentJson.String(root, "tokenizer_class"), ChatTemplateOf(root));
    }

    /// <summary>Special tokens are written either as "&lt;s&gt;" or as {"content": "&lt;s&gt;", ...}.</summary>
    private static string? TokenText(JsonElement root, string name) => ComponentJson.Property(root, name) switch
    {
        { ValueKind: JsonValueKind.String } text => text.GetString(),
        { ValueKind: JsonValueKind.Object } token => ComponentJson.String(token, "content"),
        _ => null,
    };

    private static bool? OptionalBool(JsonElement root, string name) =>
        ComponentJson.Property(root, name) is { ValueKind: JsonValueKind.True or JsonValueKind.False } value ? value.GetBoolean() : null;

    /// <summary>chat_template is a string, or a list of named templates (we keep "default").</summary>
    private static string? ChatTemplateOf(JsonElement root) => ComponentJson.Property(root, "chat_template") switch
    {
        { ValueKind: JsonValueKind.String } text => text.GetString(),
        { ValueKind: JsonValueKind.Array } list => list.EnumerateArray()
            .Where(t => ComponentJson.String(t, "name") == "default").Select(t => ComponentJson.String(t, "template")).FirstOrDefault(),
        _ => null,
    };
}
