namespace LocalFineTune.Cli.Commands;

/// <summary>--delimiter as lft train and lft validate both take it: one character, or "tab".</summary>
internal static class CsvDelimiters
{
    public static char? Parse(string? text) => text switch
    {
        null => null,
        "tab" or "\\t" => '\t',
        { Length: 1 } => text[0],
        _ => throw new FormatException($"--delimiter '{text}' is not one character; use ',', ';' or 'tab'"),
    };
}
