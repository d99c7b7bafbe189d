using System.CommandLine;
using LocalFineTune.Cli;
using LocalFineTune.Cli.Commands;

ConsoleSetup.ForRedirectedOutput();
ConsoleSetup.UseAllCores();

var root = new RootCommand("lft: fine-tune small causal language models on your own data, on CPU or CUDA.");
foreach (var command in CommandCatalog.All())
    root.Subcommands.Add(command);
return await root.Parse(ServeCommand.ExpandConfigurationKeys(args)).InvokeAsync();
