using System.CommandLine;
using System.Text.Json;
using LocalFineTune.Training.Options;
using LocalFineTune.Training.Output;
using Spectre.Console;

namespace LocalFineTune.Cli.Commands;

/// <summary>`lft models [--models-dir models] [--json]`: the fine-tuned folders, newest first, as /api/finetune/models lists them.</summary>
internal static class ModelsCommand
{
    private static readonly Option<string> ModelsDir = new("--models-dir") { Description = "Models root", DefaultValueFactory = _ => "models" };
    private static readonly Option<bool> Json = new("--json") { Description = "Print {\"models\":[…],\"total\":N} (snake_case)" };

    public static Command Create()
    {
        var command = new Command("models", "List fine-tuned models (name, base_model, created, size_mb, latest, path).");
        command.Options.Add(ModelsDir);
        command.Options.Add(Json);
        command.SetAction(parse =>
        {
            var models = FineTunedModels.List(parse.GetValue(ModelsDir)!);
            if (parse.GetValue(Json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new { models, total = models.Count }, TrainingOptions.JsonOptions));
                return 0;
            }
            if (models.Count == 0)
            {
                Console.WriteLine("no fine-tuned model yet: run `lft train --model tiny-gpt2 --data data/frigo_training.csv`");
                return 0;
            }
            var table = new Table().AddColumns("name", "base_model", "created", "size_mb", "latest", "path");
            foreach (var m in models)
                table.AddRow(Markup.Escape(m.Name), Markup.Escape(m.BaseModel), m.Created.ToString("s"), m.SizeMb.ToString("F1"),
                    m.Latest ? "yes" : "", Markup.Escape(m.Path));
            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }
}
