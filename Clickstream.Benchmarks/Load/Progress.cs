using System.Diagnostics;

namespace Clickstream.Benchmarks.Load;

/// <summary>
/// The live line on stderr: a phase name and whatever its current status function says, every interval. One status
/// at a time; stdout stays clean for the report.
/// </summary>
public sealed class Progress : IAsyncDisposable
{
    private readonly TextWriter output;
    private readonly PeriodicTimer timer;
    private readonly Task loop;
    private readonly Stopwatch runClock = Stopwatch.StartNew();
    private volatile Func<string>? status;
    private string phase = "";

    public Progress(TextWriter output, TimeSpan interval)
    {
        this.output = output;
        timer = new PeriodicTimer(interval);
        loop = Task.Run(LoopAsync);
    }

    public void Phase(string name)
    {
        phase = name;
        Clear();
        Write($"[{runClock.Elapsed:mm\\:ss}] {name}");
    }

    public void Report(Func<string> current) => status = current;

    public void Clear() => status = null;

    public void Write(string line)
    {
        lock (output)
        {
            output.WriteLine(line);
        }
    }

    public async ValueTask DisposeAsync()
    {
        timer.Dispose();
        await loop;
    }

    private async Task LoopAsync()
    {
        while (await timer.WaitForNextTickAsync())
        {
            if (status is { } current)
            {
                Write($"[{runClock.Elapsed:mm\\:ss}] {phase}: {current()}");
            }
        }
    }
}
