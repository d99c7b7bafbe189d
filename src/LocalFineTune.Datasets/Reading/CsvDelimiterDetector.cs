namespace LocalFineTune.Datasets.Reading;

/// <summary>
/// Guesses a CSV delimiter from the header line. French Excel writes ';' (because ',' is the decimal
/// separator), most other tools ','; some exports use tabs. The header is short and has no commas inside
/// column names, so counting candidates outside quotes is reliable.
/// </summary>
internal static class CsvDelimiterDetector
{
    private static readonly char[] Candidates = [',', ';', '\t'];

    public static char Detect(string path)
    {
        using var reader = TextFiles.OpenText(path);
        while (reader.ReadLine() is { } line)
        {
            if (!string.IsNullOrWhiteSpace(line)) return DetectInLine(line);
        }
        return ',';
    }

    public static char DetectInLine(string headerLine)
    {
        var counts = new int[Candidates.Length];
        var insideQuotes = false;
        foreach (var c in headerLine)
        {
            if (c == '"') insideQuotes = !insideQuotes;
            else if (!insideQuotes && Array.IndexOf(Candidates, c) is var i and >= 0) counts[i]++;
        }
        var best = 0;
        for (var i = 1; i < counts.Length; i++)
        {
            if (counts[i] > counts[best]) best = i;
        }
        return Candidates[best];
    }
}
