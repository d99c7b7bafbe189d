using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text;

namespace LocalFineTune.Server.Tests.Infrastructure;

/// <summary>The service as a real OS process (the test host built beside this project), on a free loopback port.</summary>
public sealed class ServerProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServerProcess(Process process, string baseUrl)
    {
        _process = process;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }

    /// <summary>The OS process id: a worker's owner id (host:pid:random) names it, so a test can tell who runs a job.</summary>
    public int ProcessId => _process.Id;
    public string Output { get { lock (_output) return _output.ToString(); } }

    public static async Task<ServerProcess> StartAsync(TestFolders folders, int port, IReadOnlyDictionary<string, string?>? extraSettings = null)
    {
        var url = $"http://127.0.0.1:{port}";
        var settings = folders.Settings().Concat(extraSettings ?? new Dictionary<string, string?>()).Select(s => $"--{s.Key}={s.Value}");
        return await StartDotnetAsync(folders.Root, url, [HostDll(), "--urls", url, .. settings]);
    }

    /// <summary>`dotnet ARGS` in <paramref name="workingDirectory"/>, serving <paramref name="url"/> (e.g. `lft.dll serve --urls URL`).</summary>
    public static async Task<ServerProcess> StartDotnetAsync(string workingDirectory, string url, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in arguments)
            info.ArgumentList.Add(arg);
        var server = new ServerProcess(Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start"), url);
        server._process.OutputDataReceived += (_, e) => server.Append(e.Data);
        server._process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        server._process.BeginOutputReadLine();
        server._process.BeginErrorReadLine();
        await server.WaitUntilHealthy(TimeSpan.FromSeconds(90));
        return server;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>SIGKILL: no shutdown hook runs, exactly like a crash or the OOM killer.</summary>
    public void KillHard()
    {
        _process.Kill();
        _process.WaitForExit(10_000);
    }

    private async Task WaitUntilHealthy(TimeSpan timeout)
    {
        using var client = new HttpClient { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"The server exited with {_process.ExitCode}:\n{Output}");
            try
            {
                if ((await client.GetAsync("/health")).IsSuccessStatusCode) return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet, or too busy to answer within 5 s (a loaded machine): ask again until the deadline.
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"The server did not answer /health within {timeout}:\n{Output}");
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    private static string HostDll()
    {
        var configuration = typeof(ServerProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var dll = Path.Combine(TestFolders.RepoRoot, "tests", "LocalFineTune.Server.Tests", "Host", "bin", configuration, "net10.0",
            "LocalFineTune.Server.TestHost.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"Build the test host first: {dll} is missing.");
    }

    public void Dispose()
    {
        if (!_process.HasExited) KillHard();
        _process.Dispose();
    }
}
