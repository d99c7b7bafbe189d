namespace LocalFineTune.Datasets.Model;

/// <summary>
/// Where an example (or a problem) came from, in the terms a user sees.
/// JSONL: <see cref="Line"/> is the physical 1-based line. CSV: <see cref="Row"/> is the spreadsheet row
/// (row 1 is the header, each record is one row even when a quoted cell spans several lines) and
/// <see cref="Line"/> is the physical line where the record starts.
/// <see cref="ExampleNumber"/> is 1-based within the file and counts every non-blank record,
/// valid or not, so numbers stay stable while the user fixes errors.
/// </summary>
public sealed record SourceLocation(string File, int? Line = null, int? Row = null, int? ExampleNumber = null)
{
    public static SourceLocation ForFile(string file) => new(file);

    /// <summary>"frigo.csv row 5", "frigo.jsonl line 7", or just the file name.</summary>
    public override string ToString()
    {
        var name = Path.GetFileName(File);
        if (Row is int row) return $"{name} row {row}";
        if (Line is int line) return $"{name} line {line}";
        return name;
    }
}
