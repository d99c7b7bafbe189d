using System.Text.Json;
using LocalFineTune.Tokenizers.Loading;

namespace LocalFineTune.Tokenizers.PostProcessors;

/// <summary>Adds special tokens around an encoded sequence when addSpecialTokens is true (HF "post_processor").</summary>
internal abstract class PostProcessor
{
    /// <summary>Ids to put before and after the sequence; the model's ids stay in between.</summary>
    public abstract (int[] Before, int[] After) SpecialTokens();

    private const string Supported = "TemplateProcessing, ByteLevel, RobertaProcessing, BertProcessing, Sequence";

    public static PostProcessor? FromJson(JsonElement json)
    {
        if (ComponentJson.IsNull(json)) return null;
        var type = ComponentJson.TypeOf(json, "post-processor");
        return type switch
        {
            "TemplateProcessing" => TemplateProcessing.FromJson(json),
            // ByteLevel only trims offsets, which we do not report for ids.
            "ByteLevel" => new FixedProcessor([], []),
            "RobertaProcessing" => new FixedProcessor([IdOf(json, "cls")], [IdOf(json, "sep")]),
            "BertProcessing" => new FixedProcessor([IdOf(json, "cls")], [IdOf(json, "sep")]),
            "Sequence" => Combine(ComponentJson.Array(json, "processors", "Sequence post-processor").Select(FromJson).OfType<PostProcessor>()),
            _ => throw ComponentJson.Unsupported("post-processor", type, Supported),
        };
    }

    /// <summary>Roberta/Bert store special tokens as ["&lt;s&gt;", 0].</summary>
    private static int IdOf(JsonElement json, string name) =>
        ComponentJson.Property(json, name) is { ValueKind: JsonValueKind.Array } pair && pair.GetArrayLength() == 2
            ? pair[1].GetInt32()
            : throw new FormatException($"tokenizer.json: post-processor needs \"{name}\": [token, id].");

    private static PostProcessor Combine(IEnumerable<PostProcessor> processors)
    {
        var before = new List<int>();
        var after = new List<int>();
        foreach (var processor in processors)
        {
            var (b, a) = processor.SpecialTokens();
            before.InsertRange(0, b);
            after.AddRange(a);
        }
        return new FixedProcessor(before.ToArray(), after.ToArray());
    }
}

internal sealed class FixedProcessor(int[] before, int[] after) : PostProcessor
{
    public override (int[] Before, int[] After) SpecialTokens() => (before, after);
}

/// <summary>TemplateProcessing "single": e.g. [&lt;s&gt;, $A] for Llama-2, [&lt;|begin_of_text|&gt;, $A] for Llama-3.</summary>
internal static class TemplateProcessing
{
    public static PostProcessor FromJson(JsonElement json)
    {
        var specialTokens = new Dictionary<string, int[]>();
        if (ComponentJson.Property(json, "special_tokens") is { } specials)
            foreach (var entry in specials.EnumerateObject())
                specialTokens[entry.Name] = ComponentJson.Array(entry.Value, "ids", "TemplateProcessing special token").Select(id => id.GetInt32()).ToArray();
        var before = new List<int>();
        var after = new List<int>();
        var seenSequence = false;
        foreach (var item in ComponentJson.Array(json, "single", "TemplateProcessing"))
        {
            if (ComponentJson.Property(item, "Sequence") is not null) { seenSequence = true; continue; }
            var name = ComponentJson.Property(item, "SpecialToken") is { } special ? ComponentJson.String(special, "id") : null;
            if (name is null || !specialTokens.TryGetValue(name, out var ids))
                throw new FormatException($"tokenizer.json: TemplateProcessing item {item} names no token listed in special_tokens.");
            (seenSequence ? after : before).AddRange(ids);
        }
        return new FixedProcessor(before.ToArray(), after.ToArray());
    }
}
