using System.Text;

namespace LocalFineTune.Tokenizers.Tests;

/// <summary>
/// Token-for-token parity with the native HF tokenizers library on the whole corpus, for every
/// golden file (real GPT-2 / Llama-3 / Qwen-3 tokenizers and single-component variants).
/// Failures list every mismatching case, so one run shows the whole picture.
/// </summary>
public sealed class GoldenParityTests
{
    public static IEnumerable<object[]> GoldenNames => GoldenFiles.Names();

    [Theory]
    [MemberData(nameof(GoldenNames))]
    public void Encode_MatchesReferenceIds_WhenGivenGoldenCorpus(string golden)
    {
        var json = GoldenFiles.Read(golden);
        var tokenizer = GoldenFiles.TokenizerFor(json);
        var failures = new StringBuilder();
        foreach (var c in GoldenFiles.Cases(json))
        {
            var ids = tokenizer.Encode(c.Text, c.AddSpecialTokens);
            if (!ids.SequenceEqual(c.Ids))
                failures.AppendLine($"{Show(c.Text)} special={c.AddSpecialTokens}\n  want [{string.Join(",", c.Ids)}]\n  got  [{string.Join(",", ids)}]");
            if (tokenizer.CountTokens(c.Text, c.AddSpecialTokens) != c.Ids.Length)
                failures.AppendLine($"{Show(c.Text)}: CountTokens differs from the reference length {c.Ids.Length}");
        }
        Assert.True(failures.Length == 0, failures.ToString());
    }

    [Theory]
    [MemberData(nameof(GoldenNames))]
    public void Decode_MatchesReferenceText_WhenGivenReferenceIds(string golden)
    {
        var json = GoldenFiles.Read(golden);
        var tokenizer = GoldenFiles.TokenizerFor(json);
        var failures = new StringBuilder();
        foreach (var c in GoldenFiles.Cases(json))
        {
            var decoded = tokenizer.Decode(c.Ids);
            if (decoded != c.Decoded) failures.AppendLine($"{Show(c.Text)}: want {Show(c.Decoded)} got {Show(decoded)}");
            var skipped = tokenizer.Decode(c.Ids, skipSpecialTokens: true);
            var wantSkipped = c.DecodedSkipSpecial ?? c.Decoded;
            if (skipped != wantSkipped) failures.AppendLine($"{Show(c.Text)} skip-special: want {Show(wantSkipped)} got {Show(skipped)}");
        }
        Assert.True(failures.Length == 0, failures.ToString());
    }

    [Theory]
    [MemberData(nameof(GoldenNames))]
    public void DecodeEncode_ReturnsInput_WhenReferenceRoundTrips(string golden)
    {
        var json = GoldenFiles.Read(golden);
        var tokenizer = GoldenFiles.TokenizerFor(json);
        var failures = new StringBuilder();
        foreach (var c in GoldenFiles.Cases(json).Where(c => !c.AddSpecialTokens && c.Decoded == c.Text))
        {
            var roundTrip = tokenizer.Decode(tokenizer.Encode(c.Text));
            if (roundTrip != c.Text) failures.AppendLine($"{Show(c.Text)} came back as {Show(roundTrip)}");
        }
        Assert.True(failures.Length == 0, failures.ToString());
    }

    [Theory]
    [InlineData("gpt2")]
    [InlineData("llama3")]
    public void EncodeWithOffsets_MatchesReferenceOffsets_WhenNoNormalizer(string golden)
    {
        var json = GoldenFiles.Read(golden);
        var tokenizer = GoldenFiles.TokenizerFor(json);
        var failures = new StringBuilder();
        // The reference reports offsets in code points; ours are UTF-16, so compare BMP-only texts.
        foreach (var c in GoldenFiles.Cases(json).Where(c => c.Offsets is not null && !c.Text.Any(char.IsSurrogate)))
        {
            var encoding = tokenizer.EncodeWithOffsets(c.Text, c.AddSpecialTokens);
            var got = encoding.Offsets.Select(o => $"{o.Start}-{o.End}");
            var want = c.Offsets!.Select(o => $"{o[0]}-{o[1]}");
            if (!got.SequenceEqual(want)) failures.AppendLine($"{Show(c.Text)}\n  want {string.Join(" ", want)}\n  got  {string.Join(" ", got)}");
        }
        Assert.True(failures.Length == 0, failures.ToString());
    }

    private static string Show(string text) =>
        System.Text.Json.JsonSerializer.Serialize(text.Length > 80 ? text[..80] + "…" : text);
}
