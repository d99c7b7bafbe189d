namespace LocalFineTune.SafeTensors;

/// <summary>
/// Checks that the declared byte ranges tile the data section exactly: every tensor's range matches
/// its shape and dtype, and sorted by start they begin at 0, follow each other with no hole and no
/// overlap, and end at the end of the file. Anything else means a corrupt, truncated or hand-edited file.
/// </summary>
internal static class LayoutValidator
{
    private const string FixHint = "Re-export the file with a safetensors writer.";

    public static IReadOnlyList<TensorEntry> Validate(IReadOnlyList<DeclaredEntry> declared, long dataLength, long headerLength, string path)
    {
        var entries = declared.Select(d => ToEntry(d, path)).ToList();
        var byStart = entries.OrderBy(e => e.DataOffset).ThenBy(e => e.DataEnd).ToList();
        long cursor = 0;
        TensorEntry? previous = null;
        foreach (var entry in byStart)
        {
            CheckAdjacent(previous, entry, cursor, path);
            cursor = entry.DataEnd;
            previous = entry;
        }
        CheckCoverage(previous, cursor, dataLength, headerLength, path);
        return entries;
    }

    private static TensorEntry ToEntry(DeclaredEntry d, string path)
    {
        string where = $"tensor '{d.Name}' (dtype {d.DType}, shape [{string.Join(", ", d.Shape)}], data_offsets [{d.Begin}, {d.End}])";
        if (d.End < d.Begin)
            throw new SafeTensorsFormatException(path, $"{where}: the end offset is before the begin offset. {FixHint}");
        long expected = ExpectedByteLength(d, path, where);
        if (d.End - d.Begin != expected)
            throw new SafeTensorsFormatException(path,
                $"{where}: the shape and dtype need {expected} bytes but the offsets span {d.End - d.Begin} bytes. " +
                $"The header disagrees with the data. {FixHint}");
        return new TensorEntry(d.Name, d.DType, d.Shape, d.Begin, expected);
    }

    private static long ExpectedByteLength(DeclaredEntry d, string path, string where)
    {
        try
        {
            long elements = 1;
            foreach (long dim in d.Shape) elements = checked(elements * dim);
            return checked(elements * d.DType.ElementSize());
        }
        catch (OverflowException e)
        {
            throw new SafeTensorsFormatException(path, $"{where}: the shape's byte size overflows a 64-bit integer. {FixHint}", e);
        }
    }

    private static void CheckAdjacent(TensorEntry? previous, TensorEntry entry, long cursor, string path)
    {
        string here = $"tensor '{entry.Name}' (data_offsets [{entry.DataOffset}, {entry.DataEnd}])";
        string before = previous is null
            ? "the start of the data section"
            : $"the end of tensor '{previous.Name}' (data_offsets [{previous.DataOffset}, {previous.DataEnd}])";
        if (entry.DataOffset < cursor)
            throw new SafeTensorsFormatException(path,
                $"{here} overlaps {before}; every data byte must belong to exactly one tensor. {FixHint}");
        if (entry.DataOffset > cursor)
            throw new SafeTensorsFormatException(path,
                $"{here} starts {entry.DataOffset - cursor} bytes after {before}, leaving a hole; offsets must be contiguous. {FixHint}");
    }

    private static void CheckCoverage(TensorEntry? last, long covered, long dataLength, long headerLength, string path)
    {
        if (covered > dataLength)
            throw new SafeTensorsFormatException(path,
                $"the file is truncated: tensor '{last!.Name}' ends at data byte {covered}, but only {dataLength} bytes follow the header " +
                $"(the file should be {8 + headerLength + covered} bytes). Copy or download the file again.");
        if (covered < dataLength)
            throw new SafeTensorsFormatException(path,
                $"the tensors cover {covered} bytes but {dataLength} bytes follow the header: {dataLength - covered} trailing bytes " +
                $"belong to no tensor (incomplete coverage). The header is incomplete or data was appended. {FixHint}");
    }
}
