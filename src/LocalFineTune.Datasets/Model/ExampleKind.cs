namespace LocalFineTune.Datasets.Model;

/// <summary>The three shapes an example can take. The trainer treats them differently:
/// text is packed and fully trained on; prompt/completion and chat train only on the answer.</summary>
public enum ExampleKind
{
    Text,
    PromptCompletion,
    Chat,
}

/// <summary>OpenAI's chat roles. Tool/function messages are not supported by our trainer.</summary>
public enum ChatRole
{
    System,
    User,
    Assistant,
}

public static class ChatRoleNames
{
    public static string ToWireName(this ChatRole role) => role switch
    {
        ChatRole.System => "system",
        ChatRole.User => "user",
        _ => "assistant",
    };

    public static bool TryParse(string name, out ChatRole role)
    {
        switch (name)
        {
            case "system": role = ChatRole.System; return true;
            case "user": role = ChatRole.User; return true;
            case "assistant": role = ChatRole.Assistant; return true;
            default: role = default; return false;
        }
    }
}
