using System.CommandLine;
using LocalFineTune.Cli.Commands;

var root = new RootCommand("lft: fine-tune small causal language models on your own data, on CPU or CUDA.");
foreach (var command in CommandCatalog.All())
    root.Subcommands.Add(command);
return await root.Parse(args).InvokeAsync();
