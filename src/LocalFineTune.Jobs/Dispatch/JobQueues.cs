using System.Text;

namespace LocalFineTune.Jobs;

/// <summary>Hangfire queue names: lowercase letters, digits, '_' and '-' only, so "cuda:0" becomes "cuda0".</summary>
public static class JobQueues
{
    /// <summary>Validations run on their own queue: downloading and parsing a file never waits behind a training.</summary>
    public const string Validation = "validation";

    public static string ForDevice(string device)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(device);
        var name = new StringBuilder(device.Length);
        foreach (var ch in device.ToLowerInvariant())
        {
            if (ch is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' or '-')
            {
                name.Append(ch);
            }
        }
        if (name.Length == 0 || name.ToString() == Validation)
        {
            throw new ArgumentException($"Device '{device}' gives no usable queue name; use a name such as 'cpu' or 'cuda:0'.", nameof(device));
        }
        return name.ToString();
    }
}
