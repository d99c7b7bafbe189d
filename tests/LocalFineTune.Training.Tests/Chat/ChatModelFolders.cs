using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LocalFineTune.Training.Tests.Chat;

/// <summary>
/// Temporary model folders holding a real tokenizer (Llama-3 or Qwen-3) and a chat template, laid out as HF ships
/// them: the template in tokenizer_config.json (as a string or a named list) or in chat_template.jinja.
/// </summary>
public sealed class ChatModelFolders : IDisposable
{
    private static readonly string Data = Path.Combine(AppContext.BaseDirectory, "ChatData");
    private readonly string _root = Directory.CreateTempSubdirectory("lft-chat-").FullName;

    public enum TemplateLayout { ConfigString, ConfigList, JinjaFile }

    public static string Template(string name) => File.ReadAllText(Path.Combine(Data, name + ".jinja"));

    /// <summary>The template shipped in the tokenizer's own tokenizer_config.json (Llama-3, Qwen-3).</summary>
    public static string ConfigTemplate(string tokenizer) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(Data, tokenizer + ".tokenizer_config.json")))!["chat_template"]!.GetValue<string>();

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<Tokenizers.Tokenizer>> Tokenizers = new();

    /// <summary>
    /// A real tokenizer with these special tokens, loaded once per test run (the Llama-3 vocabulary takes seconds to
    /// load): templates are then tried on it through <see cref="TemplateFolder"/>, which holds no tokenizer files.
    /// </summary>
    /// <param name="extraSpecialTokens">added as special tokens (e.g. Phi-3's &lt;|end|&gt; on the Llama-3 vocabulary)</param>
    public static Tokenizers.Tokenizer Tokenizer(string tokenizer, string? bos, string eos, params string[] extraSpecialTokens) =>
        Tokenizers.GetOrAdd($"{tokenizer}|{bos}|{eos}|{string.Join(",", extraSpecialTokens)}",
            _ => new Lazy<Tokenizers.Tokenizer>(() => LoadTokenizer(tokenizer, bos, eos, extraSpecialTokens))).Value;

    private static Tokenizers.Tokenizer LoadTokenizer(string tokenizer, string? bos, string eos, string[] extraSpecialTokens)
    {
        var dir = Directory.CreateTempSubdirectory("lft-chat-tokenizer-").FullName;
        try
        {
            using (var gz = new GZipStream(File.OpenRead(Path.Combine(Data, tokenizer + ".tokenizer.json.gz")), CompressionMode.Decompress))
            {
                var json = JsonNode.Parse(gz)!.AsObject();
                var added = json["added_tokens"]!.AsArray();
                var nextId = added.Max(t => t!["id"]!.GetValue<int>()) + 1;
                foreach (var token in extraSpecialTokens)
                    added.Add(new JsonObject { ["id"] = nextId++, ["content"] = token, ["single_word"] = false, ["lstrip"] = false,
                        ["rstrip"] = false, ["normalized"] = false, ["special"] = true });
                File.WriteAllText(Path.Combine(dir, "tokenizer.json"), json.ToJsonString());
            }
            var config = new JsonObject { ["eos_token"] = eos };
            if (bos is not null) config["bos_token"] = bos;
            File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"), config.ToJsonString());
            return global::LocalFineTune.Tokenizers.Tokenizer.FromFolder(dir);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>A folder holding only the template, laid out as HF folders keep it (null: no template at all).</summary>
    public string TemplateFolder(string? template, TemplateLayout layout = TemplateLayout.ConfigString)
    {
        var dir = Directory.CreateDirectory(Path.Combine(_root, Guid.NewGuid().ToString("N"))).FullName;
        var config = new JsonObject();
        if (template is not null && layout == TemplateLayout.ConfigString) config["chat_template"] = template;
        if (template is not null && layout == TemplateLayout.ConfigList)
            config["chat_template"] = new JsonArray(new JsonObject { ["name"] = "tool_use", ["template"] = "{{ raise_exception('not this one') }}" },
                new JsonObject { ["name"] = "default", ["template"] = template });
        if (template is not null && layout == TemplateLayout.JinjaFile) File.WriteAllText(Path.Combine(dir, "chat_template.jinja"), template);
        File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"), config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return dir;
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
