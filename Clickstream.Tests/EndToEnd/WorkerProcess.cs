using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Clickstream.Tests.Infrastructure;

namespace Clickstream.Tests.EndToEnd;

/// <summary>
/// The worker (<c>Clickstream.Consumers</c>) as a child process from its build output, the way an operator runs it:
/// exactly the settings given, its output kept, stopped with a real signal (kill(2)) and timed from the clock.
/// </summary>
internal sealed partial class WorkerProcess : IAsyncDisposable
{
    public const int SigInt = 2;
    public const int SigTerm = 15;

    // Settings of the test run's environment that would point the worker elsewhere.
    private static readonly string[] Inherited =
        ["Kafka__BootstrapServers", "KAFKA_BOOTSTRAP_SERVERS", "ConnectionStrings__Events", "DB_HOST", "ASPNETCORE_URLS", "DOTNET_ENVIRONMENT"];

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private WorkerProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Record(e.Data);
        _process.ErrorDataReceived += (_, e) => Record(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Output => string.Join('\n', _output);

    public static WorkerProcess Start(IReadOnlyDictionary<string, string> settings)
    {
        var folder = OutputFolder();
        var start = new ProcessStartInfo("dotnet", [Path.Combine(folder, "Clickstream.Consumers.dll"), "--urls", $"http://127.0.0.1:{StandaloneApp.FreePort()}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = folder,
        };
        foreach (var name in Inherited)
        {
            start.Environment.Remove(name);
        }
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        foreach (var (name, value) in settings)
        {
            start.Environment[name] = value;
        }
        return new WorkerProcess(Process.Start(start)!);
    }

    /// <summary>Waits until the worker printed <paramref name="text"/> (bounded by the failsafe), failing if it exited first.</summary>
    public Task WaitForOutputAsync(string text) =>
        Eventually.HoldsAsync(() =>
        {
            Assert.False(_process.HasExited, $"The worker exited with {(_process.HasExited ? _process.ExitCode : 0)}:\n{Output}");
            return Output.Contains(text, StringComparison.Ordinal);
        }, () => $"The worker never printed \"{text}\":\n{Output}");

    /// <summary>Sends <paramref name="signal"/>; returns the exit code and how long the process took to end after it.</summary>
    public async Task<(int ExitCode, TimeSpan Took)> StopWithAsync(int signal)
    {
        var clock = Stopwatch.StartNew();
        Assert.Equal(0, kill(_process.Id, signal));
        try
        {
            // A failsafe only: the assertion on how long it took is the caller's.
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        }
        catch (TimeoutException)
        {
            _process.Kill(entireProcessTree: true);
            Assert.Fail($"The worker did not exit within 3 minutes of signal {signal}:\n{Output}");
        }
        return (_process.ExitCode, clock.Elapsed);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        }
        _process.Dispose();
    }

    private void Record(string? line)
    {
        if (line is not null)
        {
            _output.Enqueue(line);
        }
    }

    // The worker's own build output (…/Clickstream.Consumers/bin/<configuration>/<tfm>), built with the tests as a project reference.
    private static string OutputFolder()
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var repository = testOutput.Parent!.Parent!.Parent!.Parent!.FullName;
        var folder = Path.Combine(repository, "Clickstream.Consumers", "bin", testOutput.Parent!.Name, testOutput.Name);
        Assert.True(File.Exists(Path.Combine(folder, "Clickstream.Consumers.dll")), $"The worker is not built in {folder}.");
        return folder;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);
}
