using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LocalFineTune.Server.Tests.Browser;

/// <summary>Issue 16.4a: the login page in a real browser, against a server started with an API key.</summary>
[Collection(BrowserCollection.Name)]
public sealed class LoginBrowserTests
{
    [BrowserFact]
    public async Task AWrongKey_ShowsTheServersError_TheRightKey_LandsOnJobs()
    {
        await using var world = await DashboardBrowser.StartAsync();
        var page = world.Page;
        await world.ScreenshotAsync("login");

        await page.GetByLabel("API key").FillAsync("not-the-key");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        var error = page.GetByRole(AriaRole.Alert);
        await Expect(error).ToBeVisibleAsync();
        await Expect(error).ToContainTextAsync("API key");
        await world.ScreenshotAsync("login-wrong-key");

        await world.LoginAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeVisibleAsync();
        await Expect(page.GetByText("No jobs yet.")).ToBeVisibleAsync();
        await world.ScreenshotAsync("jobs");
        world.AssertNoPageErrors();
    }
}
