using Microsoft.Playwright;

namespace LocalFineTune.Server.Tests.Browser;

/// <summary>
/// Debian's chromium (scripts/setup-debian.sh installs it), driven by Playwright's driver: Playwright never downloads
/// a browser here. The switches keep Chromium off the network: this machine's closed network refuses its background
/// connections (updates, sync, field trials, QUIC probes) and they would otherwise stall or clutter the run.
/// </summary>
public static class Chromium
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private static readonly string[] Switches =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    ];

    /// <summary>Why the browser tests cannot run here, or null when they can.</summary>
    public static string? SkipReason => File.Exists(ExecutablePath)
        ? null
        : $"{ExecutablePath} is missing: run scripts/setup-debian.sh (it installs Debian's chromium) to run the browser tests.";

    /// <summary>A headless Chromium on a fresh profile in <paramref name="userDataDir"/>, allowed to use the clipboard.</summary>
    public static Task<IBrowserContext> LaunchAsync(IPlaywright playwright, string userDataDir) =>
        playwright.Chromium.LaunchPersistentContextAsync(userDataDir, new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = Switches,
            Permissions = ["clipboard-read", "clipboard-write"],
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
        });
}

/// <summary>A fact that skips, saying how to install the browser, where Debian's chromium is not installed.</summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        if (Chromium.SkipReason is { } reason) Skip = reason;
    }
}

/// <summary>The browser tests run one at a time: each drives a real server and a real browser, and the training flows
/// wait on the clock; sharing the two cores with another of them would only make those waits longer.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BrowserCollection
{
    public const string Name = "Browser";
}
