namespace LocalFineTune.Datasets.Validation;

/// <summary>
/// Stable codes for <see cref="DataIssue.Code"/>. Where OpenAI's fine-tuning validation has a code for the
/// same problem we reuse it (marked "OpenAI"), so clients of our /v1 API can handle both the same way.
/// </summary>
public static class IssueCodes
{
    // Files and folders.
    public const string FileNotFound = "file_not_found";
    public const string UnsupportedFileType = "unsupported_file_type";
    public const string EmptyFile = "empty_file";
    public const string EmptyFolder = "empty_folder";
    public const string InvalidEncoding = "invalid_encoding";

    // JSONL structure.
    public const string InvalidJson = "invalid_json";
    public const string NotAJsonObject = "not_a_json_object";
    public const string UnrecognizedExampleFormat = "unrecognized_example_format";
    public const string UnrecognizedKey = "unrecognized_key";
    public const string InvalidType = "invalid_type";
    public const string MissingPrompt = "missing_prompt";
    public const string MissingCompletion = "missing_completion";

    // Chat structure.
    public const string MissingMessagesList = "missing_messages_list"; // OpenAI
    public const string MessageNotAnObject = "message_not_an_object";
    public const string MessageMissingKey = "message_missing_key"; // OpenAI
    public const string MessageUnrecognizedKey = "message_unrecognized_key"; // OpenAI
    public const string UnrecognizedRole = "unrecognized_role"; // OpenAI
    public const string MissingContent = "missing_content"; // OpenAI
    public const string MissingAssistantMessage = "example_missing_assistant_message"; // OpenAI
    public const string InvalidWeight = "invalid_weight";
    public const string AllWeightsZero = "all_assistant_weights_zero";

    // CSV structure.
    public const string CsvMissingColumns = "csv_missing_columns";
    public const string CsvWrongColumnCount = "csv_wrong_column_count";
    public const string CsvBadData = "csv_bad_data";
    public const string CsvIgnoredColumns = "csv_ignored_columns";

    // Content.
    public const string EmptyText = "empty_text";
    public const string EmptyPrompt = "empty_prompt";
    public const string EmptyCompletion = "empty_completion";
    public const string DuplicateExample = "duplicate_example";
    public const string MixedFormats = "mixed_formats";
    public const string ExamplesTruncated = "examples_truncated";
    public const string ExampleTooLong = "example_too_long";

    // Preference pairs (DPO). "chosen" is OpenAI's preferred_output, "rejected" its non_preferred_output.
    public const string MissingInput = "missing_input";
    public const string MissingChosen = "missing_chosen";
    public const string MissingRejected = "missing_rejected";
    public const string EmptyChosen = "empty_chosen";
    public const string EmptyRejected = "empty_rejected";
    public const string ChosenEqualsRejected = "chosen_identical_to_rejected";
    public const string InvalidOutput = "invalid_output";
    public const string InvalidOutputRole = "invalid_output_role";
    public const string PromptTooLong = "prompt_too_long";

    // Dataset as a whole.
    public const string InvalidNExamples = "invalid_n_examples"; // OpenAI
    public const string InvalidValidationSplit = "invalid_validation_split";
    public const string EmptyValidationSet = "empty_validation_set";
}
