using LocalFineTune.Datasets.Model;
using LocalFineTune.Tokenizers;
using LocalFineTune.Training.Chat;
using LocalFineTune.Training.Data;

namespace LocalFineTune.Training.Tests.Chat;

/// <summary>
/// Chat examples rendered with the model's own template: the loss covers exactly each assistant message's content
/// and the end-of-turn token after it, for each real template, found through {% generation %} blocks or prefixes.
/// </summary>
public sealed class ChatTemplateMaskTests : IDisposable
{
    private readonly ChatModelFolders _folders = new();

    private static readonly ChatMessage[] Conversation =
    [
        new(ChatRole.System, "You are brief."),
        new(ChatRole.User, "Capital of France?"),
        new(ChatRole.Assistant, "Paris."),
        new(ChatRole.User, "And of Italy — l'Italie ?"),
        new(ChatRole.Assistant, "Rome, «la ville éternelle»."),
    ];

    private static readonly ChatMessage[] NoSystem = Conversation[1..];

    public static TheoryData<string, string, string?, string, string[], bool> Templates => new()
    {
        // template, tokenizer, bos, eos, extra special tokens, whether the system message is supported
        { "llama3", "llama3", "<|begin_of_text|>", "<|eot_id|>", ["<|end|>"], true },
        { "qwen3", "qwen3", null, "<|im_end|>", [], true },
        { "chatml", "qwen3", null, "<|im_end|>", [], true },
        { "chatml-generation", "qwen3", null, "<|im_end|>", [], true },
        // One Llama-3 vocabulary (with Phi-3's <|end|> added) serves the templates written for other vocabularies:
        // loading it takes seconds, and what is tested is where the template puts the turns.
        { "mistral-instruct", "llama3", "<|begin_of_text|>", "<|eot_id|>", ["<|end|>"], false },
        { "phi3", "llama3", "<|begin_of_text|>", "<|eot_id|>", ["<|end|>"], true },
        { "zephyr", "llama3", "<|begin_of_text|>", "<|eot_id|>", ["<|end|>"], true },
    };

    [Theory]
    [MemberData(nameof(Templates))]
    public void TokenizeChat_TrainsExactlyAssistantContentAndEndOfTurn_WhenModelHasTemplate(
        string name, string tokenizerName, string? bos, string eos, string[] extra, bool hasSystem)
    {
        var (tokenizer, examples) = Load(name, tokenizerName, bos, eos, extra);
        var messages = hasSystem ? Conversation : NoSystem;
        var sequence = examples.TokenizeChat(messages);
        var endOfTurn = name switch { "llama3" => "<|eot_id|>", "qwen3" or "chatml" or "chatml-generation" => "<|im_end|>", "phi3" => "<|end|>", _ => eos };
        // Qwen-3 writes an empty thinking block into the last assistant turn only; the model must learn to write it.
        var lastPrefix = name == "qwen3" ? "<think>\n\n</think>\n\n" : "";
        Assert.Equal(["Paris." + endOfTurn, lastPrefix + "Rome, «la ville éternelle»." + endOfTurn], TrainedRuns(tokenizer, sequence));
    }

    [Theory]
    [MemberData(nameof(Templates))]
    public void TokenizeChat_EncodesTheRenderedTemplateWithoutExtraSpecialTokens_WhenModelHasTemplate(
        string name, string tokenizerName, string? bos, string eos, string[] extra, bool hasSystem)
    {
        var (tokenizer, examples) = Load(name, tokenizerName, bos, eos, extra);
        var messages = hasSystem ? Conversation : NoSystem;
        var text = examples.ChatTemplate!.RenderForTraining(messages).Text;
        var sequence = examples.TokenizeChat(messages);
        Assert.Equal(tokenizer.Encode(text, addSpecialTokens: false), sequence.InputIds);
        if (bos is not null && text.StartsWith(bos, StringComparison.Ordinal))
            Assert.Equal(1, sequence.InputIds.Count(id => id == tokenizer.BosTokenId));
    }

    [Fact]
    public void TokenizeChat_SkipsAssistantTurnsWithWeightZero_WhenModelHasTemplate()
    {
        var (tokenizer, examples) = Load("chatml", "qwen3", null, "<|im_end|>", []);
        ChatMessage[] messages = [Conversation[1], Conversation[2] with { Weight = 0 }, Conversation[3], Conversation[4]];
        Assert.Equal(["Rome, «la ville éternelle».<|im_end|>"], TrainedRuns(tokenizer, examples.TokenizeChat(messages)));
    }

    [Theory]
    [InlineData(ChatModelFolders.TemplateLayout.ConfigString)]
    [InlineData(ChatModelFolders.TemplateLayout.ConfigList)]
    [InlineData(ChatModelFolders.TemplateLayout.JinjaFile)]
    public void Find_ReadsTheTemplate_WhereverTheFolderKeepsIt(ChatModelFolders.TemplateLayout layout)
    {
        var dir = _folders.TemplateFolder(ChatModelFolders.Template("chatml"), layout);
        var template = ChatTemplateLocator.Find(dir, ChatModelFolders.Tokenizer("qwen3", null, "<|im_end|>"));
        Assert.NotNull(template);
        Assert.Equal("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n", template.RenderGenerationPrompt([new(ChatRole.User, "Hi")]));
    }

    [Fact]
    public void Find_ReturnsNull_WhenTheFolderHasNoTemplate()
    {
        var dir = _folders.TemplateFolder(null);
        Assert.Null(ChatTemplateLocator.Find(dir, ChatModelFolders.Tokenizer("qwen3", null, "<|im_end|>")));
    }

    [Fact]
    public void Find_ThrowsNamingTheFile_WhenTheTemplateUsesAnUnknownFilter()
    {
        var dir = _folders.TemplateFolder("{{ messages | shuffle }}");
        var error = Assert.Throws<InvalidDataException>(() => ChatTemplateLocator.Find(dir, ChatModelFolders.Tokenizer("qwen3", null, "<|im_end|>")));
        Assert.Contains("tokenizer_config.json", error.Message);
        Assert.Contains("unknown filter 'shuffle'", error.Message);
    }

    [Fact]
    public void Build_ReportsTheExampleAndTheTemplateMessage_WhenTheTemplateRefusesTheConversation()
    {
        var (_, examples) = Load("mistral-instruct", "llama3", "<|begin_of_text|>", "<|eot_id|>", ["<|end|>"]);
        var example = TrainingExample.FromMessages(Conversation, new SourceLocation("chat.jsonl", Line: 3));
        var error = Assert.Throws<InvalidDataException>(() => SequenceBuilder.Build([example], examples, 256));
        Assert.Contains("chat.jsonl line 3", error.Message);
        Assert.Contains("Conversation roles must alternate", error.Message);
    }

    private (Tokenizer, ExampleTokenizer) Load(string name, string tokenizerName, string? bos, string eos, string[] extra)
    {
        var template = name is "llama3" or "qwen3" ? ChatModelFolders.ConfigTemplate(name) : ChatModelFolders.Template(name);
        var dir = _folders.TemplateFolder(template);
        var tokenizer = ChatModelFolders.Tokenizer(tokenizerName, bos, eos, extra);
        var chatTemplate = ChatTemplateLocator.Find(dir, tokenizer);
        Assert.NotNull(chatTemplate);
        return (tokenizer, new ExampleTokenizer(tokenizer, chatTemplate));
    }

    /// <summary>The decoded text of each run of consecutive trained tokens.</summary>
    private static List<string> TrainedRuns(Tokenizer tokenizer, TokenizedSequence sequence)
    {
        var runs = new List<string>();
        var run = new List<int>();
        for (var i = 0; i <= sequence.Length; i++)
        {
            if (i < sequence.Length && sequence.Labels[i] != TokenizedSequence.IgnoreIndex) { run.Add(sequence.Labels[i]); continue; }
            if (run.Count > 0) runs.Add(tokenizer.Decode(run));
            run.Clear();
        }
        return runs;
    }

    public void Dispose() => _folders.Dispose();
}
