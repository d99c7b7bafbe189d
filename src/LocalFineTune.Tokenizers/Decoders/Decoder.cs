using System.Text;
using System.Text.Json;
using LocalFineTune.Tokenizers.Loading;
using LocalFineTune.Tokenizers.Pipeline;
using LocalFineTune.Tokenizers.PreTokenizers;

namespace LocalFineTune.Tokenizers.Decoders;

/// <summary>Turns token strings back into text (HF "decoder"); each step maps a token list to a token list.</summary>
internal abstract class Decoder
{
    public abstract List<string> DecodeChain(List<string> tokens);

    private const string Supported = "ByteLevel, Metaspace, ByteFallback, Fuse, Strip, Replace, Sequence";

    public static Decoder? FromJson(JsonElement json)
    {
        if (ComponentJson.IsNull(json)) return null;
        var type = ComponentJson.TypeOf(json, "decoder");
        return type switch
        {
            "ByteLevel" => new ByteLevelDecoder(),
            "Metaspace" => new MetaspaceDecoder(MetaspacePreTokenizer.Replacement(json), MetaspacePreTokenizer.Scheme(json)),
            "ByteFallback" => new ByteFallbackDecoder(),
            "Fuse" => new FuseDecoder(),
            "Strip" => new StripDecoder(ComponentJson.String(json, "content") ?? " ", ComponentJson.Int(json, "start", 0), ComponentJson.Int(json, "stop", 0)),
            "Replace" => ReplaceDecoder.FromJson(json),
            "Sequence" => new SequenceDecoder(ComponentJson.Array(json, "decoders", "Sequence decoder").Select(FromJson).OfType<Decoder>().ToArray()),
            _ => throw ComponentJson.Unsupported("decoder", type, Supported),
        };
    }
}

/// <summary>Byte chars back to bytes, then UTF-8 with U+FFFD for invalid sequences (Rust's from_utf8_lossy).</summary>
internal sealed class ByteLevelDecoder : Decoder
{
    public override List<string> DecodeChain(List<string> tokens)
    {
        var bytes = new List<byte>();
        foreach (var token in tokens)
        {
            // A token with a char outside the byte alphabet (an added token like "été") is taken as raw UTF-8, as HF does.
            if (token.All(c => ByteLevelAlphabet.CharToByte(c) >= 0))
                foreach (var c in token) bytes.Add((byte)ByteLevelAlphabet.CharToByte(c));
            else bytes.AddRange(System.Text.Encoding.UTF8.GetBytes(token));
        }
        return [System.Text.Encoding.UTF8.GetString(bytes.ToArray())];
    }
}

internal sealed class MetaspaceDecoder(char replacement, PrependScheme scheme) : Decoder
{
    public override List<string> DecodeChain(List<string> tokens)
    {
        var result = new List<string>(tokens.Count);
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i].Replace(replacement, ' ');
            // Undo the prefix the pre-tokenizer added, once, at the start of the text.
            if (i == 0 && scheme != PrependScheme.Never && token.StartsWith(' ')) token = token[1..];
            result.Add(token);
        }
        return result;
    }
}

/// <summary>Runs of &lt;0xNN&gt; tokens become their UTF-8 text, or one U+FFFD per byte when invalid.</summary>
internal sealed class ByteFallbackDecoder : Decoder
{
    public override List<string> DecodeChain(List<string> tokens)
    {
        var result = new List<string>(tokens.Count);
        var pending = new List<byte>();
        foreach (var token in tokens)
        {
            if (TryParseByte(token, out var b)) { pending.Add(b); continue; }
            Flush(pending, result);
            result.Add(token);
        }
        Flush(pending, result);
        return result;
    }

    private static bool TryParseByte(string token, out byte value)
    {
        value = 0;
        return token.Length == 6 && token.StartsWith("<0x") && token[5] == '>' &&
               byte.TryParse(token.AsSpan(3, 2), System.Globalization.NumberStyles.HexNumber, null, out value);
    }

    private static readonly UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);

    private static void Flush(List<byte> pending, List<string> result)
    {
        if (pending.Count == 0) return;
        try { result.Add(StrictUtf8.GetString(pending.ToArray())); }
        catch (DecoderFallbackException) { for (var i = 0; i < pending.Count; i++) result.Add("\uFFFD"); }
        pending.Clear();
    }
}

internal sealed class FuseDecoder : Decoder
{
    public override List<string> DecodeChain(List<string> tokens) => [string.Concat(tokens)];
}

/// <summary>Removes up to `start` leading and `stop` trailing copies of content from each token.</summary>
internal sealed class StripDecoder(string content, int start, int stop) : Decoder
{
    public override List<string> DecodeChain(List<string> tokens) => tokens.Select(Strip).ToList();

    private string Strip(string token)
    {
        var begin = 0;
        for (var i = 0; i < start && token.AsSpan(begin).StartsWith(content); i++) begin += content.Length;
        var end = token.Length;
        for (var i = 0; i < stop && end - content.Length >= begin && token.AsSpan(begin, end - begin).EndsWith(content); i++) end -= content.Length;
        return token[begin..end];
    }
}

internal sealed class ReplaceDecoder(Func<string, string> replace) : Decoder
{
    public static new ReplaceDecoder FromJson(JsonElement json)
    {
        var (pattern, isRegex) = ComponentJson.Pattern(json, "Replace decoder");
        var content = ComponentJson.String(json, "content") ?? "";
        if (isRegex)
        {
            var regex = new UnicodeRegex(pattern, true);
            return new ReplaceDecoder(token => regex.Replace(token, content));
        }
        return new ReplaceDecoder(token => pattern.Length == 0 ? token : token.Replace(pattern, content, StringComparison.Ordinal));
    }

    public override List<string> DecodeChain(List<string> tokens) => tokens.Select(replace).ToList();
}

internal sealed class SequenceDecoder(Decoder[] decoders) : Decoder
{
    public override List<string> DecodeChain(List<string> tokens)
    {
        foreach (var decoder in decoders) tokens = decoder.DecodeChain(tokens);
        return tokens;
    }
}
