using Clickstream.Tests.Infrastructure;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace Clickstream.Tests.EndToEnd;

/// <summary>
/// The standalone app (<c>Clickstream.Api</c> with nothing configured) as a child process, the way a user runs it:
/// its own free ports and data folder, its output captured, stopped with SIGINT.
/// </summary>
internal sealed partial class StandaloneApp : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private StandaloneApp(Process process, Uri address)
    {
        _process = process;
        Address = address;
        _process.OutputDataReceived += (_, e) => Record(e.Data);
        _process.ErrorDataReceived += (_, e) => Record(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public Uri Address { get; }

    public string Output => string.Join('\n', _output);

    /// <summary>The embedded broker's bootstrap servers, from the line the app prints at start.</summary>
    public string? BootstrapServers => BootstrapLine().Match(Output) is { Success: true } m ? m.Groups[1].Value : null;

    public static async Task<StandaloneApp> StartAsync(string dataFolder, int postgresPort)
    {
        var app = Launch(dataFolder, postgresPort);
        await app.WaitUntilReadyAsync();
        return app;
    }

    /// <summary>Starts the app without waiting for it: to stop it while it is still starting.</summary>
    public static StandaloneApp Launch(string dataFolder, int postgresPort, IReadOnlyDictionary<string, string>? environment = null)
    {
        var port = FreePort();
        var start = StartInfo(port);
        // Nothing configured, as on a fresh machine, except where the test keeps its data.
        start.Environment["Standalone__PostgresDataDirectory"] = Path.Combine(dataFolder, "postgres");
        start.Environment["Standalone__PostgresPort"] = postgresPort.ToString();
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        return new StandaloneApp(Process.Start(start)!, new Uri($"http://127.0.0.1:{port}"));
    }

    /// <summary>Waits until the app printed <paramref name="text"/>, failing if it exited first.</summary>
    public Task WaitForOutputAsync(string text) =>
        Eventually.HoldsAsync(() =>
        {
            Assert.False(_process.HasExited, $"The app exited with {(_process.HasExited ? _process.ExitCode : 0)}:\n{Output}");
            return Output.Contains(text, StringComparison.Ordinal);
        }, () => $"The app never printed \"{text}\":\n{Output}");

    /// <summary>Sends <paramref name="signal"/>; returns the exit code and how long the app took to end after it (from the clock).</summary>
    public async Task<(int ExitCode, TimeSpan Took)> StopWithAsync(int signal)
    {
        var clock = Stopwatch.StartNew();
        Assert.Equal(0, kill(_process.Id, signal));
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        return (_process.ExitCode, clock.Elapsed);
    }

    /// <summary>Runs the API with exactly these settings until it exits by itself (bounded); returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunUntilExitAsync(IReadOnlyDictionary<string, string> environment)
    {
        var start = StartInfo(FreePort());
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return (process.ExitCode, await output + await error);
    }

    /// <summary>Ctrl+C: returns the exit code.</summary>
    public async Task<int> InterruptAsync()
    {
        Assert.Equal(0, kill(_process.Id, 2));
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _ = kill(_process.Id, 2);
            try
            {
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
            }
            catch (TimeoutException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        _process.Dispose();
    }

    private async Task WaitUntilReadyAsync()
    {
        using var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.HoldsAsync(async () =>
        {
            Assert.False(_process.HasExited, $"The app exited with {(_process.HasExited ? _process.ExitCode : 0)}:\n{Output}");
            try
            {
                return (await client.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK;
            }
            catch (HttpRequestException)
            {
                return false; // not listening yet
            }
        }, () => $"The app did not become ready:\n{Output}");
    }

    private void Record(string? line)
    {
        if (line is not null)
        {
            _output.Enqueue(line);
        }
    }

    // The built API on 127.0.0.1:port, output captured, without the settings that would keep it from embedding anything.
    private static ProcessStartInfo StartInfo(int port)
    {
        var apiFolder = ApiOutputFolder();
        var start = new ProcessStartInfo("dotnet", [Path.Combine(apiFolder, "Clickstream.Api.dll"), "--urls", $"http://127.0.0.1:{port}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = apiFolder,
        };
        foreach (var name in new[] { "Kafka__BootstrapServers", "KAFKA_BOOTSTRAP_SERVERS", "ConnectionStrings__Events", "DB_HOST", "Standalone__Enabled" })
        {
            start.Environment.Remove(name);
        }
        return start;
    }

    // The API's own build output (…/Clickstream.Api/bin/<configuration>/<tfm>), built with the tests as a project reference.
    private static string ApiOutputFolder()
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var tfm = testOutput.Name;
        var configuration = testOutput.Parent!.Name;
        var repository = testOutput.Parent!.Parent!.Parent!.Parent!.FullName;
        var folder = Path.Combine(repository, "Clickstream.Api", "bin", configuration, tfm);
        Assert.True(File.Exists(Path.Combine(folder, "Clickstream.Api.dll")), $"The API is not built in {folder}.");
        return folder;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);

    [GeneratedRegex(@"Embedded Kafka broker started: bootstrap\.servers=(\S+)")]
    private static partial Regex BootstrapLine();
}
