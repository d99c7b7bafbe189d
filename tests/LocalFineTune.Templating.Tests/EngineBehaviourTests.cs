namespace LocalFineTune.Templating.Tests;

/// <summary>Python/Jinja semantics the goldens cannot show (where @huggingface/jinja departs from Python), errors and limits.</summary>
public sealed class EngineBehaviourTests
{
    private static string Render(string template, Dictionary<string, object?>? variables = null, RenderLimits? limits = null) =>
        JinjaTemplate.Parse(template).Render(variables ?? [], limits);

    [Theory]
    [InlineData("{{ true }} {{ none }} {{ {'a': 'b'} }} {{ [1, 'x'] }} {{ 1.0 }}", "True None {'a': 'b'} [1, 'x'] 1.0")]
    [InlineData("{{ 'xxhixx'.strip('x') }}|{{ 'a b'.split() }}|{{ 'abc'[::-1] }}", "hi|['a', 'b']|cba")]
    [InlineData("{{ missing }}|{{ missing is defined }}|{{ missing | default('d') }}", "|False|d")]
    [InlineData("{% for i in range(3) %}{{ loop.index }}{% if loop.last %}.{% endif %}{% endfor %}", "123.")]
    [InlineData("  {% if true %}\n  x\n  {% endif %}\n", "  x\n")]
    [InlineData("a  {%- if true -%}  b  {%- endif -%}  c", "abc")]
    public void Render_FollowsPythonJinja_WhenGivenTemplate(string template, string expected) =>
        Assert.Equal(expected, Render(template));

    [Theory]
    [InlineData("{% include 'x' %}", "include")]
    [InlineData("{% frobnicate %}", "frobnicate")]
    [InlineData("{{ x | shuffle }}", "shuffle")]
    [InlineData("{% if x is prime %}{% endif %}", "prime")]
    public void Parse_NamesTheUnsupportedConstruct_WhenTemplateUsesIt(string template, string name)
    {
        var error = Assert.Throws<TemplateSyntaxException>(() => JinjaTemplate.Parse(template));
        Assert.Contains(name, error.Message);
    }

    [Fact]
    public void Render_ThrowsTheTemplatesMessage_WhenTemplateRaises()
    {
        var error = Assert.Throws<TemplateRaisedException>(() => Render("{{ raise_exception('bad order') }}"));
        Assert.Equal("bad order", error.TemplateMessage);
    }

    [Fact]
    public void Render_NamesTheVariable_WhenReadingAnAttributeOfUndefined()
    {
        var error = Assert.Throws<TemplateException>(() => Render("{{ nothing.role }}"));
        Assert.Contains("'nothing' is undefined", error.Message);
    }

    [Theory]
    [InlineData("{% for i in range(10) %}{% for j in range(10) %}{% endfor %}{% endfor %}", "loop iterations")]
    [InlineData("{% set ns = namespace(s='ab') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}", "characters")]
    [InlineData("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}", "nest deeper")]
    public void Render_StopsWithAClearError_WhenTemplateExceedsALimit(string template, string message)
    {
        var limits = new RenderLimits { MaxLoopIterations = 50, MaxOutputChars = 10_000, MaxCallDepth = 16 };
        var error = Assert.Throws<TemplateLimitException>(() => Render(template, limits: limits));
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Parse_RefusesDeepNesting_WhenTemplateIsHostile()
    {
        var template = "{{ " + new string('(', 5000) + "1" + new string(')', 5000) + " }}";
        Assert.Throws<TemplateSyntaxException>(() => JinjaTemplate.Parse(template));
    }

    [Fact]
    public void RenderWithSpans_ReportsGenerationBlocks_WhenTemplateMarksAssistantText()
    {
        var template = JinjaTemplate.Parse("{% for m in messages %}<{{ m }}>{% generation %}{{ m | upper }}!{% endgeneration %}{% endfor %}");
        var result = template.RenderWithSpans(new Dictionary<string, object?> { ["messages"] = new[] { "a", "b" } });
        Assert.True(template.HasGenerationBlocks);
        Assert.Equal("<a>A!<b>B!", result.Text);
        Assert.Equal(["A!", "B!"], result.GenerationSpans.Select(s => result.Text[s.Start..s.End]));
    }

    [Fact]
    public void Render_UsesTheGivenClock_WhenTemplateCallsStrftimeNow()
    {
        var output = JinjaTemplate.Parse("{{ strftime_now('%d %b %Y') }}").Render(new Dictionary<string, object?>(), now: () => new DateTime(2024, 7, 3));
        Assert.Equal("03 Jul 2024", output);
    }
}
