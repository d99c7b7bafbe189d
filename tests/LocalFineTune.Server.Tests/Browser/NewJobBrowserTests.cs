using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using LocalFineTune.Server.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace LocalFineTune.Server.Tests.Browser;

/// <summary>
/// Issue 16.4b and d: New job with an upload whose bad line is named (by the upload, then by the data check's report
/// with the estimate), then the fixed file trains while Job detail's loss curve grows live; the id copies to the clipboard; the finished model streams text in the Playground.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class NewJobBrowserTests
{
    // Enough steps (batch 1) that the curve is seen growing while the job runs, few enough to finish in seconds.
    private const int Examples = 40;
    private const float TrainingTimeoutMs = 120_000;

    [BrowserFact]
    public async Task ABadLine_IsNamed_TheFixedFileTrains_TheCurveGrowsLive_TheIdCopies_AndThePlaygroundStreams()
    {
        await using var world = await DashboardBrowser.StartAsync();
        var page = world.Page;
        await world.LoginAsync();
        await world.OpenAsync("#/new", "New fine-tuning job");
        var good = TestDatasets.ChatJsonl(Examples);

        await ChooseUpload(page, TestDatasets.WithLine(good, 3, TestDatasets.NotJson));
        await page.GetByLabel("Base model").SelectOptionAsync("tiny");
        await page.GetByLabel("Epochs").FillAsync("2");
        await page.GetByLabel("Batch size").FillAsync("1");
        await Start(page);
        var dataError = page.Locator("#data-error");
        await Expect(dataError).ToBeVisibleAsync();
        await Expect(dataError).ToContainTextAsync("line 3 is not a JSON object");
        await world.ScreenshotAsync("new-job-upload-refused");

        await ChooseUpload(page, TestDatasets.WithLine(good, 5, TestDatasets.NotAnExample));
        await Start(page);
        var report = page.Locator("section#validation-report");
        await Expect(report.Locator("#start-refused")).ToBeVisibleAsync();
        await Expect(report.Locator("tr[data-line=\"5\"] td.code")).ToHaveTextAsync(new Regex(@"\w"));
        await Expect(report.Locator("tbody tr")).ToHaveCountAsync(1);
        await Expect(report).Not.ToContainTextAsync("null"); // absent parts were printed as "null"
        await Expect(page).ToHaveURLAsync(new Regex("#/new$"));
        await world.ScreenshotAsync("new-job-check-refused");

        await ChooseUpload(page, good);
        await page.GetByRole(AriaRole.Button, new() { Name = "Check data" }).ClickAsync();
        await Expect(report.Locator("#validation-title")).ToHaveTextAsync("Data check: valid");
        await Expect(report.Locator("#estimate")).ToContainTextAsync("Estimated time");
        await Expect(report.Locator("tr[data-line]")).ToHaveCountAsync(0);
        await world.ScreenshotAsync("new-job-check-valid");
        await Start(page);
        await Expect(page).ToHaveURLAsync(new Regex("#/jobs/ftjob-"));
        var jobId = await Pages.JobIdOnDetailAsync(page);

        await AssertTheLossCurveGrowsWhileRunning(page);
        await Expect(page.Locator("main section.card").First).Not.ToContainTextAsync("null"); // was printed for "no error yet"
        await world.ScreenshotAsync("job-detail-training");
        await page.GetByRole(AriaRole.Button, new() { Name = "Copy id" }).ClickAsync();
        Assert.Equal(jobId, await page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));

        await Expect(Pages.JobStatus(page)).ToHaveTextAsync("succeeded", new() { Timeout = TrainingTimeoutMs });
        await world.ScreenshotAsync("job-detail-succeeded");

        await page.GetByRole(AriaRole.Link, new() { Name = "Try in Playground" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Playground" })).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Model", new() { Exact = true })).ToHaveValueAsync(new Regex("^tiny-"));
        await page.GetByLabel("Prompt").FillAsync("Fridge 3 is noisy.");
        await page.GetByLabel("Max tokens").FillAsync("16");
        await page.GetByRole(AriaRole.Button, new() { Name = "Generate" }).ClickAsync();
        await Expect(page.Locator("#pg-output")).ToHaveTextAsync(new Regex(@"\S"));
        await Expect(page.GetByText(new Regex(@"finish: \w+ · \d+ chunks"))).ToBeVisibleAsync();
        await world.ScreenshotAsync("playground");
        world.AssertNoPageErrors();
    }

    private static Task Start(IPage page) => page.GetByRole(AriaRole.Button, new() { Name = "Start fine-tuning" }).ClickAsync();

    private static Task ChooseUpload(IPage page, string jsonl) =>
        page.GetByLabel("File (.jsonl or .csv)").SetInputFilesAsync(new FilePayload
        {
            Name = "fridge.jsonl", MimeType = "application/jsonl", Buffer = Encoding.UTF8.GetBytes(jsonl),
        });

    /// <summary>The page saw the job running, drew train points, then more of them: the curve follows the live stream.</summary>
    private static async Task AssertTheLossCurveGrowsWhileRunning(IPage page)
    {
        var first = 0;
        await Expect(Pages.JobStatus(page)).ToHaveTextAsync("running", new() { Timeout = TrainingTimeoutMs });
        await WaitUntil(async () => (first = await Pages.SeriesPointsAsync(page, "Loss", "c1")) > 0, "the first loss point");
        await WaitUntil(async () => await Pages.SeriesPointsAsync(page, "Loss", "c1") > first, $"more than {first} loss points");
    }

    private static async Task WaitUntil(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(TrainingTimeoutMs);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"The job page did not show {what} within {TrainingTimeoutMs / 1000} s.");
            await Task.Delay(100);
        }
    }
}
