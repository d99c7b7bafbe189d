using System.Text;

namespace LocalFineTune.SafeTensors;

/// <summary>
/// Builds header JSON byte-for-byte as the reference writer (Rust, serde_json compact) does:
/// "__metadata__" first, then tensors in file order, each as {"dtype","shape","data_offsets"},
/// no spaces, non-ASCII left as UTF-8, then spaces up to a multiple of 8 bytes so the data
/// section (and with the alignment-ordered layout, every tensor) starts 8-byte aligned.
/// </summary>
internal static class HeaderJsonWriter
{
    public static byte[] Build(IReadOnlyList<(TensorToWrite Tensor, long Begin)> layout, IReadOnlyDictionary<string, string>? metadata)
    {
        var json = new StringBuilder("{");
        if (metadata is not null)
        {
            AppendString(json, HeaderParser.MetadataKey);
            json.Append(':');
            AppendMetadata(json, metadata);
            if (layout.Count > 0) json.Append(',');
        }
        for (int i = 0; i < layout.Count; i++)
        {
            if (i > 0) json.Append(',');
            AppendEntry(json, layout[i].Tensor, layout[i].Begin);
        }
        json.Append('}');
        return PadToMultipleOf8(Utf8Ordinal.StrictUtf8.GetBytes(json.ToString()));
    }

    private static void AppendMetadata(StringBuilder json, IReadOnlyDictionary<string, string> metadata)
    {
        // The reference keeps metadata in a hash map (unspecified order); we sort so output is deterministic.
        json.Append('{');
        bool first = true;
        foreach (var key in metadata.Keys.OrderBy(k => k, Utf8Ordinal.Instance))
        {
            if (!first) json.Append(',');
            first = false;
            AppendString(json, key);
            json.Append(':');
            AppendString(json, metadata[key]);
        }
        json.Append('}');
    }

    private static void AppendEntry(StringBuilder json, TensorToWrite tensor, long begin)
    {
        AppendString(json, tensor.Name);
        json.Append(":{\"dtype\":");
        AppendString(json, tensor.DType.ToHfName());
        json.Append(",\"shape\":[").AppendJoin(',', tensor.Shape);
        json.Append("],\"data_offsets\":[").Append(begin).Append(',').Append(begin + tensor.ByteLength).Append("]}");
    }

    /// <summary>serde_json's escaping: quote, backslash and control characters only; \u00xx in lowercase hex.</summary>
    internal static void AppendString(StringBuilder json, string value)
    {
        json.Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"': json.Append("\\\""); break;
                case '\\': json.Append("\\\\"); break;
                case '\b': json.Append("\\b"); break;
                case '\f': json.Append("\\f"); break;
                case '\n': json.Append("\\n"); break;
                case '\r': json.Append("\\r"); break;
                case '\t': json.Append("\\t"); break;
                case < ' ': json.Append("\\u00").Append(((int)c).ToString("x2")); break;
                default: json.Append(c); break;
            }
        }
        json.Append('"');
    }

    private static byte[] PadToMultipleOf8(byte[] bytes)
    {
        int padded = (bytes.Length + 7) / 8 * 8;
        if (padded == bytes.Length) return bytes;
        var result = new byte[padded];
        bytes.CopyTo(result, 0);
        result.AsSpan(bytes.Length).Fill((byte)' ');
        return result;
    }
}
