using LocalFineTune.Datasets.Model;

namespace LocalFineTune.Datasets.Validation;

/// <summary>Rules that look at several examples together.</summary>
internal static class DatasetChecks
{
    /// <summary>Mixing kinds in one file is allowed (the trainer handles each example by its kind), but it is
    /// usually a mistake such as a stray line from another dataset, so it is a warning naming the odd ones out.</summary>
    public static void WarnAboutMixedFormats(IReadOnlyList<TrainingExample> examples, IssueCollector issues)
    {
        foreach (var file in examples.GroupBy(e => e.Source.File))
        {
            var byKind = file.GroupBy(e => e.Kind).OrderByDescending(g => g.Count()).ToList();
            if (byKind.Count < 2) continue;
            var main = byKind[0];
            foreach (var other in byKind.Skip(1))
            {
                issues.Add(DataIssue.Warning(IssueCodes.MixedFormats,
                    $"{other.Count()} {Describe(other.Key)} example(s) in a file of mostly {Describe(main.Key)} examples (first here); " +
                    "mixing formats in one file is allowed but usually a mistake", other.First().Source));
            }
        }
    }

    /// <summary>Exact duplicates waste compute and over-weight one answer; the first copy is kept in mind, later ones reported.</summary>
    public static void WarnAboutDuplicates(IReadOnlyList<TrainingExample> examples, IssueCollector issues)
    {
        var firstSeen = new Dictionary<(ExampleKind, string), SourceLocation>();
        foreach (var example in examples)
        {
            var key = (example.Kind, Fingerprint(example));
            if (firstSeen.TryGetValue(key, out var first))
                issues.Add(DataIssue.Warning(IssueCodes.DuplicateExample, $"duplicate of {first}; remove one copy", example.Source));
            else
                firstSeen[key] = example.Source;
        }
    }

    public static void CheckExampleCount(int count, int heldOut, int minimum, IssueCollector issues)
    {
        if (count >= minimum) return;
        var afterSplit = heldOut > 0 ? $" (after holding out {heldOut} for validation)" : "";
        issues.Add(DataIssue.Error(IssueCodes.InvalidNExamples,
            $"{count} examples{afterSplit}, at least {minimum} required; add examples (50 to 100 good ones is a better start)"));
    }

    // Roles matter for chat: the same words said by the user or by the assistant are different examples.
    private static string Fingerprint(TrainingExample example) => example.Kind switch
    {
        ExampleKind.Chat => string.Join("\u001e", example.Messages!.Select(m => $"{m.Role}\u001f{m.Content}\u001f{m.Weight}")),
        ExampleKind.PromptCompletion => example.Prompt + "\u001e" + example.Completion,
        _ => example.Text ?? "",
    };

    private static string Describe(ExampleKind kind) => kind switch
    {
        ExampleKind.Text => "text",
        ExampleKind.PromptCompletion => "prompt/completion",
        _ => "chat",
    };
}
