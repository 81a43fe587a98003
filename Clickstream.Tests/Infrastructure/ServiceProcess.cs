using Clickstream.Tests.EndToEnd;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;

namespace Clickstream.Tests.Infrastructure;

/// <summary>
/// One of the pipeline's hosts (<c>Clickstream.Api</c>, <c>Clickstream.Consumers</c>) as a child process run from its
/// build output, as an operator runs it: its own address on 127.0.0.1, exactly the settings given, its output kept for
/// failure messages. It can be killed (SIGKILL: no shutdown code runs) or stopped (SIGINT) like a real process.
/// </summary>
internal sealed partial class ServiceProcess : IAsyncDisposable
{
    public const int SigInt = 2;
    public const int SigTerm = 15;

    // Settings from the test run's environment that would point a host elsewhere, or make it embed a broker or a server.
    private static readonly string[] Inherited =
        ["Kafka__BootstrapServers", "KAFKA_BOOTSTRAP_SERVERS", "ConnectionStrings__Events", "DB_HOST", "Standalone__Enabled", "ASPNETCORE_URLS",
         "DOTNET_ENVIRONMENT", "ASPNETCORE_ENVIRONMENT"];

    // Whatever a test left running when the test host exits (a test aborted mid-scenario) is killed with it.
    private static readonly ConcurrentDictionary<int, Process> Running = new();

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    static ServiceProcess() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        foreach (var process in Running.Values)
        {
            try
            {
                process.Kill();
            }
            catch (InvalidOperationException)
            {
                // Disposed meanwhile.
            }
        }
    };

    private ServiceProcess(string name, Process process, Uri address)
    {
        Name = name;
        _process = process;
        Address = address;
        _process.OutputDataReceived += (_, e) => Record(e.Data);
        _process.ErrorDataReceived += (_, e) => Record(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        Running[process.Id] = process;
    }

    public string Name { get; }

    public Uri Address { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>Waits (bounded by the failsafe) for the process to end by itself, and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync()
    {
        await _process.WaitForExitAsync().WaitAsync(Eventually.DefaultFailsafe);
        return _process.ExitCode;
    }

    public string Output => string.Join('\n', _output);

    /// <summary>
    /// Starts <paramref name="project"/>'s built dll with these settings (environment variables) and nothing else of ours,
    /// in <paramref name="workingDirectory"/> (default: its build output), where it looks for a <c>.env</c> file.
    /// </summary>
    public static ServiceProcess Start(string project, string name, IReadOnlyDictionary<string, string> settings, string? workingDirectory = null)
    {
        var folder = OutputFolder(project);
        var port = StandaloneApp.FreePort();
        var start = new ProcessStartInfo("dotnet", [Path.Combine(folder, project + ".dll"), "--urls", $"http://127.0.0.1:{port}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? folder,
        };
        foreach (var variable in Inherited)
        {
            start.Environment.Remove(variable);
        }
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in settings)
        {
            start.Environment[key] = value;
        }
        return new ServiceProcess(name, Process.Start(start)!, new Uri($"http://127.0.0.1:{port}"));
    }

    /// <summary>Starts it as <see cref="Start"/> does and waits until it is ready; one that never gets ready is killed.</summary>
    public static async Task<ServiceProcess> StartReadyAsync(string project, string name, IReadOnlyDictionary<string, string> settings)
    {
        var process = Start(project, name, settings);
        try
        {
            await process.WaitUntilReadyAsync();
            return process;
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    /// <summary>How many lines of its output so far contain <paramref name="text"/>.</summary>
    public int LinesContaining(string text) => _output.Count(line => line.Contains(text, StringComparison.Ordinal));

    /// <summary>Waits until <c>/health/ready</c> answers 200: for a worker, it joined the group and its database answers.</summary>
    public Task WaitUntilReadyAsync() => WaitUntilAnsweringAsync("/health/ready");

    /// <summary>Waits until the process serves HTTP at all (<c>/health/live</c>), whatever its dependencies do.</summary>
    public Task WaitUntilLiveAsync() => WaitUntilAnsweringAsync("/health/live");

    /// <summary>SIGKILL: the process ends at once, mid-batch, without committing or closing anything.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
    }

    /// <summary>SIGINT, as Ctrl+C or an orchestrator's stop; returns the exit code (the failsafe kills a process that never ends).</summary>
    public async Task<int> InterruptAsync() => (await StopWithAsync(SigInt)).ExitCode;

    /// <summary>Sends <paramref name="signal"/>; returns the exit code and how long the process took to end after it.</summary>
    public async Task<(int ExitCode, TimeSpan Took)> StopWithAsync(int signal)
    {
        var clock = Stopwatch.StartNew();
        Assert.Equal(0, kill(_process.Id, signal));
        try
        {
            // A failsafe only: an assertion on how long it took is the caller's.
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        }
        catch (TimeoutException)
        {
            _process.Kill();
            Assert.Fail($"{Name} did not exit within 3 minutes of signal {signal}:\n{Output}");
        }
        return (_process.ExitCode, clock.Elapsed);
    }

    /// <summary>Waits until the process printed <paramref name="text"/> (bounded by the failsafe), failing if it exited first.</summary>
    public Task WaitForOutputAsync(string text) =>
        Eventually.HoldsAsync(() =>
        {
            Assert.False(_process.HasExited, $"{Name} exited with {(_process.HasExited ? _process.ExitCode : 0)}:\n{Output}");
            return Output.Contains(text, StringComparison.Ordinal);
        }, () => $"{Name} never printed \"{text}\":\n{Output}");

    /// <summary>Asserts that a SIGINT stops the process cleanly (exit code 0).</summary>
    public async Task StopCleanlyAsync()
    {
        var exitCode = await InterruptAsync();
        Assert.True(exitCode == 0, $"{Name} exited with {exitCode} on SIGINT:\n{Tail}");
    }

    /// <summary>The last lines of its output, without stack frames (the messages say what went wrong).</summary>
    public string Tail => string.Join('\n', _output.Where(line => !line.TrimStart().StartsWith("at ", StringComparison.Ordinal)).TakeLast(40));

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // Already failing (or leaving anyway): no need to wait for a clean stop.
            _process.Kill();
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        }
        Running.TryRemove(_process.Id, out _);
        _process.Dispose();
    }

    private async Task WaitUntilAnsweringAsync(string path)
    {
        using var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.HoldsAsync(async () =>
        {
            Assert.False(_process.HasExited, $"{Name} exited with {(_process.HasExited ? _process.ExitCode : 0)}:\n{Tail}");
            try
            {
                using var response = await client.GetAsync(path);
                return response.StatusCode == HttpStatusCode.OK;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                return false; // not listening yet, or busy starting
            }
        }, () => $"{Name} did not answer 200 on {path}:\n{Tail}");
    }

    private void Record(string? line)
    {
        if (line is not null)
        {
            _output.Enqueue(line);
        }
    }

    // A host's own build output (…/<project>/bin/<configuration>/<tfm>), built with the tests as a project reference.
    private static string OutputFolder(string project)
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var repository = testOutput.Parent!.Parent!.Parent!.Parent!.FullName;
        var folder = Path.Combine(repository, project, "bin", testOutput.Parent!.Name, testOutput.Name);
        Assert.True(File.Exists(Path.Combine(folder, project + ".dll")), $"{project} is not built in {folder}.");
        return folder;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);
}
