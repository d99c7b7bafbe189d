using System.Net;
using System.Net.Http.Headers;
using LocalFineTune.Tokenizers;

namespace LocalFineTune.Server.Tests.OpenAi;

/// <summary>
/// /v1/chat/completions renders the conversation with the model folder's own chat template (chat_template.jinja), the
/// same one training uses: the prompt's token count is that of the template's output, and a template that refuses the
/// conversation (raise_exception) answers 400 with its message.
/// </summary>
public sealed class ChatTemplateServingTests : IDisposable
{
    private const string ChatMl = """
        {% for message in messages %}{% if message['role'] == 'system' %}{{ raise_exception('This model takes no system prompt.') }}{% endif %}<|im_start|>{{ message['role'] }}
        {{ message['content'] }}<|im_end|>
        {% endfor %}{% if add_generation_prompt %}<|im_start|>assistant
        {% endif %}
        """;

    private readonly OpenAiTestServer _server = new();
    private readonly HttpClient _client;
    private readonly string _folder;

    public ChatTemplateServingTests()
    {
        _folder = Path.Combine(_server.ModelsRoot, "base", "chatml");
        Directory.CreateDirectory(_folder);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(_server.ModelsRoot, "base", OpenAiTestServer.Base)))
            File.Copy(file, Path.Combine(_folder, Path.GetFileName(file)));
        File.WriteAllText(Path.Combine(_folder, "chat_template.jinja"), ChatMl);
        _client = _server.CreateClient();
        _client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", OpenAiTestServer.ApiKey);
    }

    [Fact]
    public async Task Prompt_IsTheFoldersTemplateOutput()
    {
        var response = await _client.PostJson("/v1/chat/completions",
            """{"model":"chatml","messages":[{"role":"user","content":"Frigo fait bruit fort"}],"max_tokens":2,"temperature":0}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var usage = (await response.Body()).GetProperty("usage");
        var rendered = "<|im_start|>user\nFrigo fait bruit fort<|im_end|>\n<|im_start|>assistant\n";
        var expected = Tokenizer.FromFolder(_folder).Encode(rendered, addSpecialTokens: false).Length;
        Assert.Equal(expected, usage.GetProperty("prompt_tokens").GetInt32());
    }

    [Fact]
    public async Task TemplateThatRefusesTheConversation_Answers400WithItsMessage()
    {
        var response = await _client.PostJson("/v1/chat/completions",
            """{"model":"chatml","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"hi"}],"max_tokens":2}""");

        var error = await response.AssertOpenAiError(HttpStatusCode.BadRequest, "messages");
        Assert.Contains("This model takes no system prompt.", error.GetProperty("message").GetString());
    }

    public void Dispose()
    {
        _client.Dispose();
        _server.Dispose();
    }
}
