using System.Text;

namespace LocalFineTune.Templating.Tests;

/// <summary>
/// Byte-for-byte parity with @huggingface/jinja on real chat templates (Llama-3, Qwen-3 from their
/// tokenizer_config.json; ChatML, Mistral-instruct, Phi-3, Zephyr from their model cards) and on a template that
/// exercises the engine's features. Failures list every mismatching case.
/// </summary>
public sealed class GoldenParityTests
{
    public static IEnumerable<object[]> TemplateNames =>
        GoldenTemplates.Cases().Select(c => c.Template).Distinct().Select(t => new object[] { t });

    [Theory]
    [MemberData(nameof(TemplateNames))]
    public void Render_MatchesReferenceOutput_WhenGivenGoldenConversations(string templateName)
    {
        var template = JinjaTemplate.Parse(GoldenTemplates.TemplateSource(templateName));
        var failures = new StringBuilder();
        var cases = GoldenTemplates.Cases().Where(c => c.Template == templateName).ToList();
        Assert.NotEmpty(cases);
        foreach (var c in cases)
        {
            try
            {
                var output = template.Render(GoldenTemplates.Variables(c));
                if (c.Error is not null) failures.AppendLine($"{c}: expected the error '{c.Error}' but rendered {Show(output)}");
                else if (output != c.Output) failures.AppendLine($"{c}:\n  want {Show(c.Output!)}\n  got  {Show(output)}");
            }
            catch (TemplateRaisedException e) when (c.Error is not null)
            {
                if (e.TemplateMessage != c.Error) failures.AppendLine($"{c}: raised '{e.TemplateMessage}', reference raised '{c.Error}'");
            }
            catch (TemplateException e)
            {
                failures.AppendLine($"{c}: {e.GetType().Name}: {e.Message}");
            }
        }
        Assert.True(failures.Length == 0, failures.ToString());
    }

    [Fact]
    public void Goldens_CoverEveryTemplateTheIssueNames_WhenLoaded()
    {
        var names = GoldenTemplates.Cases().Select(c => c.Template).ToHashSet();
        foreach (var required in new[] { "llama3", "qwen3", "chatml", "mistral-instruct", "phi3", "zephyr" }) Assert.Contains(required, names);
        Assert.Contains(GoldenTemplates.Cases(), c => c.Template == "mistral-instruct" && c.Error is not null);
    }

    private static string Show(string text) => System.Text.Json.JsonSerializer.Serialize(text);
}
