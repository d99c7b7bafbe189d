using System.Text.Json;

namespace LocalFineTune.Templating.Tests;

/// <summary>Reads Golden/chat-templates.json (written by scripts/chat-templates, @huggingface/jinja) and the templates it names.</summary>
internal static class GoldenTemplates
{
    private static readonly Lazy<JsonDocument> Document = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", "chat-templates.json"))));

    public static JsonElement Root => Document.Value.RootElement;

    public sealed record Case(string Template, string Conversation, bool AddGenerationPrompt, string? Output, string? Error)
    {
        public override string ToString() => $"{Template}/{Conversation}/agp={AddGenerationPrompt}";
    }

    public static IEnumerable<Case> Cases() => Root.GetProperty("cases").EnumerateArray().Select(c => new Case(
        c.GetProperty("template").GetString()!, c.GetProperty("conversation").GetString()!, c.GetProperty("add_generation_prompt").GetBoolean(),
        c.TryGetProperty("output", out var o) ? o.GetString() : null, c.TryGetProperty("error", out var e) ? e.GetString() : null));

    public static string TemplateSource(string name)
    {
        var source = Root.GetProperty("templates").GetProperty(name).GetProperty("source").GetString()!;
        var (kind, reference) = (source[..source.IndexOf(':')], source[(source.IndexOf(':') + 1)..]);
        var dir = Path.Combine(AppContext.BaseDirectory, "TestData");
        if (kind == "file") return File.ReadAllText(Path.Combine(dir, reference));
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, $"{reference}.tokenizer_config.json")));
        return config.RootElement.GetProperty("chat_template").GetString()!;
    }

    /// <summary>messages, add_generation_prompt, the conversation's extra variables and the template's special tokens.</summary>
    public static Dictionary<string, object?> Variables(Case c)
    {
        var conversation = Root.GetProperty("conversations").GetProperty(c.Conversation);
        var variables = new Dictionary<string, object?>
        {
            ["messages"] = TemplateValues.FromJson(conversation.GetProperty("messages")),
            ["add_generation_prompt"] = c.AddGenerationPrompt,
        };
        if (conversation.TryGetProperty("variables", out var extra))
            foreach (var p in extra.EnumerateObject()) variables[p.Name] = TemplateValues.FromJson(p.Value);
        var template = Root.GetProperty("templates").GetProperty(c.Template);
        foreach (var token in new[] { "bos_token", "eos_token" })
            if (template.GetProperty(token).ValueKind == JsonValueKind.String) variables[token] = template.GetProperty(token).GetString();
        return variables;
    }
}
