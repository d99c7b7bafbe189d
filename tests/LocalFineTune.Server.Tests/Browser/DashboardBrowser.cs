using System.Runtime.CompilerServices;
using LocalFineTune.Server.Tests.Infrastructure;
using Microsoft.Playwright;

namespace LocalFineTune.Server.Tests.Browser;

/// <summary>
/// One browser test's world: the service as a real process (its own folders, the tiny base, an API key) and a
/// headless Chromium on a fresh profile with one page. Screenshots go to the test output, screenshots/&lt;test&gt;/.
/// </summary>
public sealed class DashboardBrowser : IAsyncDisposable
{
    public const string Key = "browser-s3cret";

    /// <summary>How long a page may take to show what a step waits for; training and comparisons pass longer ones.
    /// Generous because the suite runs its test assemblies side by side on two cores: only a failure waits this long.</summary>
    public const float StepTimeoutMs = 45_000;

    private readonly string _test;
    private readonly List<string> _pageErrors = [];
    private IPlaywright? _playwright;
    private IBrowserContext? _context;

    private DashboardBrowser(string test, TestFolders folders)
    {
        _test = test;
        Folders = folders;
        Port = ServerProcess.FreePort();
    }

    public TestFolders Folders { get; }
    public int Port { get; }
    public ServerProcess? Server { get; private set; }
    public IPage Page { get; private set; } = null!;
    public string BaseUrl => $"http://127.0.0.1:{Port}";

    /// <summary>Starts the server (after <paramref name="prepare"/> has laid extra files) and the browser on the login page.</summary>
    public static async Task<DashboardBrowser> StartAsync(Action<TestFolders>? prepare = null, [CallerMemberName] string test = "")
    {
        var folders = new TestFolders();
        prepare?.Invoke(folders);
        var world = new DashboardBrowser(test, folders);
        try
        {
            await world.StartServerAsync();
            await world.StartBrowserAsync();
            return world;
        }
        catch
        {
            await world.DisposeAsync();
            throw;
        }
    }

    /// <summary>A new server process on the same port and folders (the session cookie stays valid: it derives from the key).</summary>
    public async Task StartServerAsync() =>
        Server = await ServerProcess.StartAsync(Folders, Port, new Dictionary<string, string?> { ["LocalFineTune:ApiKey"] = Key });

    /// <summary>SIGKILL, as a crash or a pulled plug would end it.</summary>
    public void StopServer()
    {
        Server?.Dispose();
        Server = null;
    }

    /// <summary>Signs in through the login form with the right key and waits for the Jobs page.</summary>
    public async Task LoginAsync()
    {
        await Page.GetByLabel("API key").FillAsync(Key);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Fine-tuning jobs" })).ToBeVisibleAsync();
    }

    /// <summary>Goes to a dashboard route (#/new, #/models…) and waits for its heading.</summary>
    public async Task OpenAsync(string hash, string heading)
    {
        await Page.GotoAsync($"{BaseUrl}/{hash}");
        await Assertions.Expect(Page.GetByRole(AriaRole.Heading, new() { Name = heading, Exact = true })).ToBeVisibleAsync();
    }

    /// <summary>A full-page PNG at screenshots/&lt;test&gt;/&lt;name&gt;.png beside the test assembly.</summary>
    public async Task ScreenshotAsync(string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "screenshots", _test, name + ".png");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        // From the top: a page scrolled by a focus() would have its sticky header drawn in the middle of the picture.
        await Page.EvaluateAsync("() => window.scrollTo(0, 0)");
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
    }

    /// <summary>Uncaught script errors are bugs even when the page looks right: every test ends by asserting none.</summary>
    public void AssertNoPageErrors()
    {
        lock (_pageErrors) Assert.True(_pageErrors.Count == 0, "The page threw:\n" + string.Join("\n", _pageErrors));
    }

    /// <summary>The server's output, for a failure message that says what the service logged.</summary>
    public string ServerOutput => Server?.Output ?? "(no server running)";

    private async Task StartBrowserAsync()
    {
        _playwright = await Playwright.CreateAsync();
        _context = await Chromium.LaunchAsync(_playwright, Path.Combine(Folders.Root, "chromium-profile"));
        _context.SetDefaultTimeout(StepTimeoutMs);
        Assertions.SetDefaultExpectTimeout(StepTimeoutMs);
        Page = _context.Pages.Count > 0 ? _context.Pages[0] : await _context.NewPageAsync();
        Page.PageError += (_, error) => { lock (_pageErrors) _pageErrors.Add(error); };
        await Page.GotoAsync(BaseUrl + "/");
    }

    public async ValueTask DisposeAsync()
    {
        if (_context is not null) await _context.CloseAsync();
        _playwright?.Dispose();
        StopServer();
        Folders.Dispose();
    }
}
