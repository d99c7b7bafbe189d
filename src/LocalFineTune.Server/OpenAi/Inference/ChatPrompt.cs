using LocalFineTune.Datasets.Model;
using LocalFineTune.Server.OpenAi.Common;
using LocalFineTune.Templating;

namespace LocalFineTune.Server.OpenAi.Inference;

/// <summary>Renders a chat request's prompt with the run's template; a template that refuses the conversation is a 400.</summary>
internal static class ChatPrompt
{
    public static string Render(IGenerationRun run, IReadOnlyList<ChatMessage> messages)
    {
        try
        {
            return run.RenderChatPrompt(messages);
        }
        catch (TemplateRaisedException e)
        {
            throw OpenAiException.BadRequest($"The model's chat template refused these messages: {e.TemplateMessage}", "messages", "invalid_value");
        }
        catch (TemplateException e)
        {
            throw OpenAiException.BadRequest($"The model's chat template could not render these messages: {e.Message}", "messages", "chat_template_error");
        }
    }
}
