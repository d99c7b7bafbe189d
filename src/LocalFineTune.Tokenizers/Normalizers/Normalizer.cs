using System.Text;
using System.Text.Json;
using LocalFineTune.Tokenizers.Loading;
using LocalFineTune.Tokenizers.Pipeline;

namespace LocalFineTune.Tokenizers.Normalizers;

/// <summary>Rewrites text before pre-tokenization (HF "normalizer").</summary>
internal abstract class Normalizer
{
    public abstract string Normalize(string text);

    private const string Supported = "NFC, NFKC, NFD, NFKD, Lowercase, Prepend, Replace, Strip, Sequence";

    public static Normalizer? FromJson(JsonElement json)
    {
        if (ComponentJson.IsNull(json)) return null;
        var type = ComponentJson.TypeOf(json, "normalizer");
        return type switch
        {
            "NFC" => new UnicodeNormalizer(NormalizationForm.FormC),
            "NFKC" => new UnicodeNormalizer(NormalizationForm.FormKC),
            "NFD" => new UnicodeNormalizer(NormalizationForm.FormD),
            "NFKD" => new UnicodeNormalizer(NormalizationForm.FormKD),
            "Lowercase" => new LowercaseNormalizer(),
            "Prepend" => new PrependNormalizer(ComponentJson.String(json, "prepend") ?? ""),
            "Replace" => ReplaceNormalizer.FromJson(json),
            "Strip" => new StripNormalizer(ComponentJson.Bool(json, "strip_left", true), ComponentJson.Bool(json, "strip_right", true)),
            "Sequence" => new SequenceNormalizer(ComponentJson.Array(json, "normalizers", "Sequence normalizer")
                .Select(FromJson).OfType<Normalizer>().ToArray()),
            _ => throw ComponentJson.Unsupported("normalizer", type, Supported),
        };
    }
}

internal sealed class UnicodeNormalizer : Normalizer
{
    private readonly NormalizationForm _form;

    public UnicodeNormalizer(NormalizationForm form)
    {
        // With InvariantGlobalization=true, .NET silently returns the input unchanged: that would
        // give wrong token ids without any error, so refuse to load instead.
        if ("e\u0301".Normalize(NormalizationForm.FormC) != "\u00E9")
            throw new PlatformNotSupportedException(
                $"This tokenizer needs Unicode {form} normalization, which .NET disables when InvariantGlobalization is true. " +
                "Set <InvariantGlobalization>false</InvariantGlobalization> in the application's .csproj (or " +
                "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=0) and make sure libicu is installed.");
        _form = form;
    }

    public override string Normalize(string text) => text.IsNormalized(_form) ? text : text.Normalize(_form);
}

/// <summary>Rust's char::to_lowercase, applied char by char (no final-sigma context, like HF).</summary>
internal sealed class LowercaseNormalizer : Normalizer
{
    public override string Normalize(string text)
    {
        var builder = new StringBuilder(text.Length);
        Span<char> lower = stackalloc char[2];
        foreach (var rune in text.EnumerateRunes())
        {
            // The one unconditional multi-char lowercase mapping in Unicode, which .NET's
            // invariant casing leaves alone.
            if (rune.Value == 0x130) builder.Append("i\u0307");
            else builder.Append(lower[..Rune.ToLowerInvariant(rune).EncodeToUtf16(lower)]);
        }
        return builder.ToString();
    }
}

internal sealed class PrependNormalizer(string prefix) : Normalizer
{
    // HF leaves the empty string empty, so "" still encodes to no tokens.
    public override string Normalize(string text) => text.Length == 0 ? text : prefix + text;
}

internal sealed class StripNormalizer(bool left, bool right) : Normalizer
{
    public override string Normalize(string text) =>
        left && right ? text.Trim() : left ? text.TrimStart() : right ? text.TrimEnd() : text;
}

internal sealed class ReplaceNormalizer(UnicodeRegex? regex, string? literal, string content) : Normalizer
{
    public static new ReplaceNormalizer FromJson(JsonElement json)
    {
        var (pattern, isRegex) = ComponentJson.Pattern(json, "Replace normalizer");
        var content = ComponentJson.String(json, "content") ?? "";
        return isRegex ? new ReplaceNormalizer(new UnicodeRegex(pattern, true), null, content) : new ReplaceNormalizer(null, pattern, content);
    }

    public override string Normalize(string text) =>
        regex is not null ? regex.Replace(text, content) : literal!.Length == 0 ? text : text.Replace(literal, content, StringComparison.Ordinal);
}

internal sealed class SequenceNormalizer(Normalizer[] normalizers) : Normalizer
{
    public override string Normalize(string text)
    {
        foreach (var normalizer in normalizers) text = normalizer.Normalize(text);
        return text;
    }
}
