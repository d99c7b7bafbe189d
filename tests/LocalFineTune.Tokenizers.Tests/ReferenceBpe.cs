using System.Text.Json;

namespace LocalFineTune.Tokenizers.Tests;

/// <summary>
/// The textbook BPE merge, written independently of the library for the long-word tests: start from one
/// symbol per char and repeatedly merge the adjacent pair of lowest rank (the leftmost on ties).
/// Quadratic, so only for moderate sizes; it handles words whose chars are all in the vocabulary.
/// </summary>
internal sealed class ReferenceBpe
{
    private readonly Dictionary<string, int> _vocab;
    private readonly Dictionary<(int, int), (int Rank, int Merged)> _merges = new();

    public ReferenceBpe(string tokenizerJson)
    {
        var (vocab, merges) = ReadModel(tokenizerJson);
        _vocab = vocab;
        for (var rank = 0; rank < merges.Count; rank++)
        {
            var (left, right) = merges[rank];
            _merges[(_vocab[left], _vocab[right])] = (rank, _vocab[left + right]);
        }
    }

    /// <summary>model.vocab and model.merges of a tokenizer.json (merges as "a b" or ["a", "b"]).</summary>
    public static (Dictionary<string, int> Vocab, List<(string Left, string Right)> Merges) ReadModel(string tokenizerJson)
    {
        using var document = JsonDocument.Parse(tokenizerJson);
        var model = document.RootElement.GetProperty("model");
        var vocab = model.GetProperty("vocab").EnumerateObject().ToDictionary(e => e.Name, e => e.Value.GetInt32());
        var merges = model.GetProperty("merges").EnumerateArray().Select(m => m.ValueKind == JsonValueKind.Array
            ? (m[0].GetString()!, m[1].GetString()!)
            : (m.GetString()!.Split(' ')[0], m.GetString()!.Split(' ')[1])).ToList();
        return (vocab, merges);
    }

    public int[] Encode(string word)
    {
        var symbols = word.Select(c => _vocab.TryGetValue(c.ToString(), out var id) ? id
            : throw new ArgumentException($"'{c}' is not in the vocabulary; the reference only handles such words.")).ToList();
        while (true)
        {
            var (bestRank, bestAt, bestId) = (int.MaxValue, -1, -1);
            for (var i = 0; i + 1 < symbols.Count; i++)
                if (_merges.TryGetValue((symbols[i], symbols[i + 1]), out var merge) && merge.Rank < bestRank)
                    (bestRank, bestAt, bestId) = (merge.Rank, i, merge.Merged);
            if (bestAt < 0) return symbols.ToArray();
            symbols[bestAt] = bestId;
            symbols.RemoveAt(bestAt + 1);
        }
    }
}
