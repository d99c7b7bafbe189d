using System.Text;
using System.Text.Json;
using LocalFineTune.Datasets.Model;
using LocalFineTune.Server.OpenAi.Common;
using LocalFineTune.Training.Data;

namespace LocalFineTune.Server.OpenAi.Inference;

/// <summary>The sampling fields both /v1/chat/completions and /v1/completions take, checked with OpenAI's ranges.</summary>
public sealed record CompletionRequest(string Model, IReadOnlyList<string> Prompts, int MaxTokens, double Temperature, double TopP,
    IReadOnlyList<string> Stop, long? Seed, int N, bool Stream, bool IncludeUsage)
{
    /// <summary>Chat requests: the conversation, rendered with the model's own template once the model is known.</summary>
    public IReadOnlyList<ChatMessage>? Messages { get; init; }

    /// <summary>
    /// Chat: the conversation is kept in <see cref="Messages"/>; <see cref="Prompts"/> holds it in the fallback format
    /// until <see cref="IGenerationRun.RenderChatPrompt"/> renders it with the model's template.
    /// </summary>
    public static CompletionRequest ParseChat(JsonElement body, OpenAiOptions limits)
    {
        if (!body.TryGetProperty("messages", out var messages) || messages.ValueKind == JsonValueKind.Null)
            throw OpenAiException.BadRequest("Missing required parameter: 'messages'. Send [{\"role\": \"user\", \"content\": \"…\"}].", "messages", "missing_required_parameter");
        if (messages.ValueKind != JsonValueKind.Array) throw JsonFields.WrongType("messages", "an array", messages);
        if (messages.GetArrayLength() == 0) throw OpenAiException.BadRequest("'messages' is empty; send at least one message.", "messages", "invalid_value");
        if (messages.GetArrayLength() > limits.MaxMessages)
            throw TooMany("messages", messages.GetArrayLength(), limits.MaxMessages, "MaxMessages", "messages");
        var chat = messages.EnumerateArray().Select((m, i) => Message(m, i)).ToList();
        var prompt = ChatTemplateRenderer.RenderGenerationPrompt(chat);
        var maxTokens = JsonFields.Long(body, "max_completion_tokens") is { } mct ? mct : JsonFields.Long(body, "max_tokens");
        return Parse(body, "messages", [prompt], maxTokens, limits.MaxTokensLimit, limits, maxTokens is null ? null : JsonFields.Has(body, "max_completion_tokens") ? "max_completion_tokens" : "max_tokens")
            with { Messages = chat };
    }

    /// <summary>Legacy completions: prompt is a string or an array of strings (token-id prompts are not supported).</summary>
    public static CompletionRequest ParseText(JsonElement body, OpenAiOptions limits)
    {
        if (!body.TryGetProperty("prompt", out var prompt) || prompt.ValueKind == JsonValueKind.Null)
            throw OpenAiException.BadRequest("Missing required parameter: 'prompt'.", "prompt", "missing_required_parameter");
        IReadOnlyList<string> prompts = prompt.ValueKind switch
        {
            JsonValueKind.String => [prompt.GetString()!],
            JsonValueKind.Array when prompt.EnumerateArray().All(p => p.ValueKind == JsonValueKind.String) && prompt.GetArrayLength() > 0
                => prompt.EnumerateArray().Select(p => p.GetString()!).ToList(),
            _ => throw OpenAiException.BadRequest("Invalid 'prompt': send a string or an array of strings (token-id prompts are not supported here).", "prompt", "invalid_type"),
        };
        if (prompts.Count > limits.MaxPromptsPerRequest)
            throw TooMany("prompt", prompts.Count, limits.MaxPromptsPerRequest, "MaxPromptsPerRequest", "prompts");
        // OpenAI's legacy default is 16 tokens; kept so scripts written against it behave the same.
        return Parse(body, "prompt", prompts, JsonFields.Long(body, "max_tokens"), 16, limits, "max_tokens");
    }

    private static CompletionRequest Parse(JsonElement body, string promptParam, IReadOnlyList<string> prompts, long? maxTokens, int fallback, OpenAiOptions limits, string? maxParam)
    {
        var limit = limits.MaxTokensLimit;
        var model = JsonFields.RequiredString(body, "model", "Name a model: GET /v1/models lists them (bases and ft: models).");
        var max = maxTokens ?? fallback;
        if (max < 1 || max > limit)
            throw OpenAiException.BadRequest($"Invalid '{maxParam ?? "max_tokens"}': {max}. Use 1 to {limit} (LocalFineTune:OpenAi:MaxTokensLimit).", maxParam ?? "max_tokens", "invalid_value");
        var temperature = JsonFields.Double(body, "temperature") ?? 1.0;
        if (temperature is < 0 or > 2) throw OpenAiException.BadRequest($"Invalid 'temperature': {temperature}. Use 0 to 2.", "temperature", "invalid_value");
        var topP = JsonFields.Double(body, "top_p") ?? 1.0;
        if (topP is <= 0 or > 1) throw OpenAiException.BadRequest($"Invalid 'top_p': {topP}. Use a number above 0 and at most 1.", "top_p", "invalid_value");
        var n = JsonFields.Long(body, "n") ?? 1;
        if (n is < 1 or > int.MaxValue) throw OpenAiException.BadRequest($"Invalid 'n': {n}. Use 1 to {limits.MaxChoices}.", "n", "invalid_value");
        if (n > limits.MaxChoices) throw TooMany("n", n, limits.MaxChoices, "MaxChoices", "choices per prompt");
        var characters = prompts.Sum(p => (long)p.Length);
        if (characters > limits.MaxPromptCharacters)
            throw TooMany(promptParam, characters, limits.MaxPromptCharacters, "MaxPromptCharacters", "prompt characters");
        var stream = JsonFields.Bool(body, "stream") ?? false;
        var includeUsage = JsonFields.Object(body, "stream_options") is { } so && (JsonFields.Bool(so, "include_usage") ?? false);
        return new CompletionRequest(model, prompts, (int)max, temperature, topP, ParseStop(body, limits), JsonFields.Long(body, "seed"), (int)n, stream, includeUsage)
        {
            MaxTokensGiven = maxTokens is not null,
            PromptParam = promptParam,
            MaxTokensParam = maxParam ?? "max_tokens",
        };
    }

    /// <summary>True when the client chose max_tokens: then prompt + max_tokens must fit the model's context.</summary>
    public bool MaxTokensGiven { get; init; }

    /// <summary>The fields errors about the prompt and its budget name: "messages" or "prompt", "max_tokens" or "max_completion_tokens".</summary>
    public string PromptParam { get; init; } = "prompt";

    public string MaxTokensParam { get; init; } = "max_tokens";

    /// <summary>A request over one of the server's limits: 400 naming the limit, its value and its configuration key.</summary>
    public static OpenAiException TooMany(string param, long given, long limit, string key, string what) =>
        OpenAiException.BadRequest($"Invalid '{param}': this request has {given} {what}; this server accepts at most {limit} " +
            $"(LocalFineTune:OpenAi:{key}). Split the work into several requests, or raise the limit in the server's configuration.",
            param, "limit_exceeded");

    private static IReadOnlyList<string> ParseStop(JsonElement body, OpenAiOptions limits)
    {
        if (!body.TryGetProperty("stop", out var stop) || stop.ValueKind == JsonValueKind.Null) return [];
        IReadOnlyList<string> list = stop.ValueKind switch
        {
            JsonValueKind.String => [stop.GetString()!],
            JsonValueKind.Array when stop.EnumerateArray().All(s => s.ValueKind == JsonValueKind.String) => stop.EnumerateArray().Select(s => s.GetString()!).ToList(),
            _ => throw OpenAiException.BadRequest($"Invalid 'stop': send a string or an array of up to {limits.MaxStopSequences} strings.", "stop", "invalid_type"),
        };
        if (list.Count > limits.MaxStopSequences) throw TooMany("stop", list.Count, limits.MaxStopSequences, "MaxStopSequences", "stop sequences");
        if (list.Any(string.IsNullOrEmpty)) throw OpenAiException.BadRequest("Invalid 'stop': stop sequences must not be empty.", "stop", "invalid_value");
        if (list.Count > 0 && list.Max(x => x.Length) is var longest && longest > limits.MaxStopSequenceLength)
            throw TooMany("stop", longest, limits.MaxStopSequenceLength, "MaxStopSequenceLength", "characters in its longest stop sequence");
        return list;
    }

    private static ChatMessage Message(JsonElement m, int index)
    {
        var param = $"messages[{index}]";
        if (m.ValueKind != JsonValueKind.Object) throw JsonFields.WrongType(param, "an object", m);
        var roleName = JsonFields.String(m, "role", param + ".role")
            ?? throw OpenAiException.BadRequest($"Missing '{param}.role'.", param + ".role", "missing_required_parameter");
        // "developer" is OpenAI's newer name for the system role.
        if (roleName == "developer") roleName = "system";
        if (!ChatRoleNames.TryParse(roleName, out var role))
            throw OpenAiException.BadRequest($"Invalid '{param}.role': '{roleName}'. Supported roles: system, developer, user, assistant (no tools).", param + ".role", "invalid_value");
        return new ChatMessage(role, Content(m, param));
    }

    /// <summary>A string, or an array of content parts of which only "text" parts are supported.</summary>
    private static string Content(JsonElement m, string param)
    {
        if (!m.TryGetProperty("content", out var content) || content.ValueKind == JsonValueKind.Null) return "";
        if (content.ValueKind == JsonValueKind.String) return content.GetString()!;
        if (content.ValueKind != JsonValueKind.Array) throw JsonFields.WrongType(param + ".content", "a string or an array of content parts", content);
        var text = new StringBuilder();
        foreach (var part in content.EnumerateArray())
        {
            if (part.ValueKind != JsonValueKind.Object || JsonFields.String(part, "type") != "text")
                throw OpenAiException.BadRequest($"Invalid '{param}.content': only text parts are supported by local text models.", param + ".content", "invalid_value");
            text.Append(JsonFields.String(part, "text", param + ".content.text"));
        }
        return text.ToString();
    }
}
