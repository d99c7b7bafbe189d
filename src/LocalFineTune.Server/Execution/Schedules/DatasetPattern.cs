using System.Globalization;
using System.Text.RegularExpressions;
using LocalFineTune.Server.Problems;

namespace LocalFineTune.Server.Execution.Schedules;

/// <summary>
/// A schedule's dataset_url with date placeholders: "data/frigo_{yyyy-MM}.csv" becomes "data/frigo_2026-12.csv" for a
/// run on a December 2026 occurrence (its date in the schedule's time zone). Placeholders hold .NET date format
/// letters (y M d H m) and separators only, so a typo cannot turn into an arbitrary path.
/// </summary>
public static partial class DatasetPattern
{
    [GeneratedRegex(@"\{([^{}]*)\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"^[yMdHm]+([-_.]?[yMdHm]+)*$")]
    private static partial Regex AllowedFormat();

    /// <summary>400 naming <paramref name="param"/> when a brace is unbalanced or a placeholder is no date format.</summary>
    public static void Validate(string pattern, string param)
    {
        foreach (Match m in Placeholder().Matches(pattern))
        {
            if (!AllowedFormat().IsMatch(m.Groups[1].Value))
                throw Bad(pattern, param, $"'{{{m.Groups[1].Value}}}' is not a date placeholder");
        }
        var rest = Placeholder().Replace(pattern, "");
        if (rest.Contains('{') || rest.Contains('}'))
            throw Bad(pattern, param, "it has an unbalanced '{' or '}'");
    }

    // A one-letter format ("d", "M") would be a standard pattern ("12/2/2026"): "%" makes it the custom specifier.
    public static string Resolve(string pattern, DateTime localTime) =>
        Placeholder().Replace(pattern, m => localTime.ToString(m.Groups[1].Length == 1 ? "%" + m.Groups[1].Value : m.Groups[1].Value, CultureInfo.InvariantCulture));

    public static bool HasPlaceholders(string pattern) => Placeholder().IsMatch(pattern);

    private static ApiProblemException Bad(string pattern, string param, string why) =>
        new(param, "invalid_pattern",
            $"'{ClientText.Echo(pattern)}' is not a valid dataset pattern: {why}. Use date placeholders such as data/frigo_{{yyyy-MM}}.csv " +
            "(letters y M d H m, separated by - _ or .).");
}
