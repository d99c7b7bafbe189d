using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LocalFineTune.Server.Tests.Browser;

/// <summary>Issue 16.4g: the connection banner follows the server going away and coming back, without a reload.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ConnectionBrowserTests
{
    [BrowserFact]
    public async Task TheServerStopping_ShowsTheBanner_AndItsReturn_HidesItWithoutAReload()
    {
        await using var world = await DashboardBrowser.StartAsync();
        var page = world.Page;
        await world.LoginAsync();
        await page.EvaluateAsync("() => { window.sameDocument = true; }");
        var banner = page.Locator("#connection");
        await Expect(banner).ToBeHiddenAsync();

        world.StopServer();
        await Expect(banner).ToBeVisibleAsync();
        await Expect(banner).ToHaveTextAsync("Connection to the server lost. Retrying…");
        await world.ScreenshotAsync("jobs-connection-lost");

        await world.StartServerAsync();
        await Expect(banner).ToBeHiddenAsync();
        Assert.True(await page.EvaluateAsync<bool>("() => window.sameDocument === true"), "the page reloaded instead of recovering in place");
        await Expect(page.GetByText("No jobs yet.")).ToBeVisibleAsync();
        await world.ScreenshotAsync("jobs-reconnected");
        world.AssertNoPageErrors();
    }
}
