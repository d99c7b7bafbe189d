using System.Net.Sockets;
using System.Text;
using LocalFineTune.Server.Tests.Infrastructure;

namespace LocalFineTune.Server.Tests.HostileInput;

/// <summary>
/// Class 4 of issue 18 on a real socket to a real Kestrel process: a chunked body (no Content-Length) over the limit is
/// a 413 counted on the bytes read; a small cut-off chunked JSON body is a 400.
/// </summary>
public sealed class ChunkedSocketTests : IDisposable
{
    private readonly TestFolders _folders = new(withBase: false);

    [Fact]
    public async Task ChunkedBodyOverTheLimit_Answers413_OnARealSocket()
    {
        using var server = await ServerProcess.StartAsync(_folders, ServerProcess.FreePort(),
            new Dictionary<string, string?> { ["LocalFineTune:MaxRequestBodyBytes"] = "1000" });
        var port = new Uri(server.BaseUrl).Port;
        var chunk = new string('a', 800);
        var chunked = Chunk("{\"model\":\"tiny\",\"dataset_url\":\"") + Chunk(chunk) + Chunk(chunk) + Chunk("\"}") + "0\r\n\r\n";

        Assert.Equal(413, await SendAsync(port, chunked));
        Assert.Equal(400, await SendAsync(port, Chunk("{\"model\":") + "0\r\n\r\n")); // small but cut-off JSON: a 400 from the body reader
    }

    /// <summary>Real Kestrel reports this as a bare IOException ("Bad chunk size data", an OverflowException inside),
    /// which the in-memory TestServer does not reproduce.</summary>
    [Fact]
    public async Task ChunkSizeOverflow_Answers400()
    {
        using var server = await ServerProcess.StartAsync(_folders, ServerProcess.FreePort());
        Assert.Equal(400, await SendAsync(new Uri(server.BaseUrl).Port, "FFFFFFFFFFFFFFFFFFFF\r\nx\r\n0\r\n\r\n"));
    }

    private static string Chunk(string data) => $"{Encoding.UTF8.GetByteCount(data):X}\r\n{data}\r\n";

    /// <summary>POSTs a hand-framed chunked body to /api/finetune/start and returns the status code of the answer.</summary>
    private static async Task<int> SendAsync(int port, string chunkedBody)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port);
        var stream = tcp.GetStream();
        var head = $"POST /api/finetune/start HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n" +
            "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
        try
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head + chunkedBody));
        }
        catch (IOException)
        {
            // The server may answer and close before reading everything; the answer is still there to read.
        }
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var statusLine = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)) ?? "";
        var parts = statusLine.Split(' ');
        return parts.Length > 1 && int.TryParse(parts[1], out var code) ? code : throw new InvalidOperationException($"no HTTP answer: '{statusLine}'");
    }

    public void Dispose() => _folders.Dispose();
}
