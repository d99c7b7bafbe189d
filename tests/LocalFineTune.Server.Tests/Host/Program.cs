return await LocalFineTune.Server.ServerApp.RunAsync(args);
