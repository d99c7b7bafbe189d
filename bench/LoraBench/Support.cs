using System.Diagnostics;
using System.Globalization;
using LocalFineTune.Models;
using LocalFineTune.Models.Loading;

/// <summary>The random base folder: written once (several GB for the full shape), then reused by every run.</summary>
static class BaseFolder
{
    /// <summary>Creates <paramref name="dir"/> unless it already holds this config; returns the seconds spent (0 when reused).</summary>
    public static double EnsureExists(string dir, ModelConfig config, string tokenizerDir)
    {
        var configPath = Path.Combine(dir, "config.json");
        if (File.Exists(configPath))
        {
            var existing = ModelConfig.Load(configPath).Spec;
            if (existing.Layers != config.Spec.Layers || existing.HiddenSize != config.Spec.HiddenSize || existing.VocabSize != config.Spec.VocabSize)
                throw new InvalidDataException($"{dir} holds another shape ({existing.Layers} layers, hidden {existing.HiddenSize}); " +
                    "delete it or pass another --dir.");
            return 0;
        }
        var clock = Stopwatch.StartNew();
        Console.Error.WriteLine($"writing the random base ({config.ParameterCount:N0} parameters, float32) to {dir} ...");
        HfModelFolder.CreateRandomFolder(dir, config, tokenizerDir, seed: 1);
        return clock.Elapsed.TotalSeconds;
    }
}

/// <summary>Token ids both sides can make without sharing a file: a 31-bit LCG (glibc's constants), id = state mod vocab.</summary>
static class BenchIds
{
    public static int[] Make(int count, int vocab)
    {
        var ids = new int[count];
        long state = 1;
        for (var i = 0; i < count; i++)
        {
            state = (1103515245 * state + 12345) % 2147483648;
            ids[i] = (int)(state % vocab);
        }
        return ids;
    }
}
