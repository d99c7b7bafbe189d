using LocalFineTune.Datasets.Model;
using LocalFineTune.Datasets.Preferences;

namespace LocalFineTune.Training.Tests.Preference;

/// <summary>
/// A preference set a tiny model can learn: which sound an animal makes. Each sound is the chosen answer for its own
/// animal and the rejected one for every other, so a model that knows nothing ranks half the pairs right. Held-out
/// pairs use phrasings never trained on.
/// </summary>
internal static class SyntheticPreferences
{
    private static readonly (string Animal, string Sound)[] Animals =
        [("cat", " meow"), ("dog", " woof"), ("cow", " moo"), ("duck", " quack"), ("pig", " oink"), ("sheep", " baa")];

    // Every phrasing ends with the animal, the word the answer depends on, so a 2-layer model learns it in seconds.
    private static readonly string[] TrainingPhrasings = ["The sound of the {0}", "Hear the {0}", "What says the {0}", "Noise made by a {0}"];
    private static readonly string[] HeldOutPhrasings = ["Listen to our {0}", "Tell me what you hear from the {0}"];

    public static IReadOnlyList<PreferenceExample> Training() => Build(TrainingPhrasings, "train.jsonl");

    public static IReadOnlyList<PreferenceExample> HeldOut() => Build(HeldOutPhrasings, "valid.jsonl");

    private static List<PreferenceExample> Build(string[] phrasings, string file)
    {
        var pairs = new List<PreferenceExample>();
        foreach (var phrasing in phrasings)
            foreach (var (animal, sound) in Animals)
                foreach (var (other, wrong) in Animals)
                {
                    if (other == animal) continue;
                    var location = new SourceLocation(file, Line: pairs.Count + 1, ExampleNumber: pairs.Count + 1);
                    pairs.Add(PreferenceExample.FromText(string.Format(phrasing, animal), sound, wrong, location));
                }
        return pairs;
    }
}
