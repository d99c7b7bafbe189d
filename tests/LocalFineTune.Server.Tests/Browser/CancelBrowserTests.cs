using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LocalFineTune.Server.Tests.Browser;

/// <summary>Issue 16.4c: a long job started from a file under the data root is cancelled from the Jobs page.</summary>
[Collection(BrowserCollection.Name)]
public sealed class CancelBrowserTests
{
    [BrowserFact]
    public async Task ALongJob_StartedFromTheDataRoot_IsCancelledFromJobs()
    {
        // 2,000 rows × 20 epochs at batch 1: hours of steps, so the job is surely still running when Cancel is clicked.
        await using var world = await DashboardBrowser.StartAsync(folders => folders.WriteCsv("long.csv", 2000));
        var page = world.Page;
        await world.LoginAsync();
        await world.OpenAsync("#/new", "New fine-tuning job");

        await page.GetByLabel("A file under the data root").CheckAsync();
        await page.Locator("#data-path").FillAsync("long.csv");
        await page.GetByLabel("Base model").SelectOptionAsync("tiny");
        await page.GetByLabel("Epochs").FillAsync("20");
        await page.GetByLabel("Batch size").FillAsync("1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Start fine-tuning" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("#/jobs/ftjob-"), new() { Timeout = 60_000 });
        var jobId = await Pages.JobIdOnDetailAsync(page);

        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Jobs", Exact = true }).ClickAsync();
        var row = Pages.JobRow(page, jobId);
        await Expect(row.Locator(".badge")).ToHaveTextAsync("running", new() { Timeout = 60_000 });
        await world.ScreenshotAsync("jobs-running");
        string? asked = null;
        page.Dialog += async (_, dialog) => { asked = dialog.Message; await dialog.AcceptAsync(); };
        await row.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();

        await Expect(row.Locator(".badge")).ToHaveTextAsync("cancelled", new() { Timeout = 60_000 });
        Assert.Equal($"Cancel {jobId}?", asked);
        await Expect(row.GetByRole(AriaRole.Button, new() { Name = "Cancel" })).ToHaveCountAsync(0);
        await world.ScreenshotAsync("jobs-cancelled");
        world.AssertNoPageErrors();
    }
}
