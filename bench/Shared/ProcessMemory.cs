using System.Globalization;

// Shared by the bench programs that link it (see their .csproj): one copy of the /proc readers.
/// <summary>RSS figures from /proc (Linux). The peak (VmHWM) can be reset per step by writing 5 to clear_refs.</summary>
static class Memory
{
    public static double RssMb() => Field("VmRSS:");

    public static double PeakRssMb() => Field("VmHWM:");

    public static bool ResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }

    private static double Field(string name)
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith(name, StringComparison.Ordinal));
        return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
    }
}
